"""Uploaded files (proof of outside training, micro-credential evidence): checked by their
content, then kept outside the web root by one small storage module."""
