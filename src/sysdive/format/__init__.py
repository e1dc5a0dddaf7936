"""Output formatting: ``-p`` formats, default and JSON lines, and buffer rendering."""
