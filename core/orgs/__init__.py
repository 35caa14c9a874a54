"""Organizations (组织): one tree for the Party organization and every kind the plugins register."""
