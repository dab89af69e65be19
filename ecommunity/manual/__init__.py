"""The Manual for National Focal Points."""
