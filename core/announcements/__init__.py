"""Announcements (公告/通知): what an org publishes to the public, to its members or to its direct members."""
