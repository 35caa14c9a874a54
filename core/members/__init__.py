"""Membership (会员 / 团员 / 成员): generic for every plugin, with history."""
