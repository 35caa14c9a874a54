"""Selections (评选表彰) and the honors register (荣誉).

A plugin declares a :class:`~core.kernel.declarations.selections.SelectionType` through
``quntuan_selection_types``; the core runs every campaign of it: nominations from below (self, another
person, an org) with a form and files, review and forwarding up the tree level by level within each org's
quota, an optional real-name public vote, a public notice (公示) of the selected with objections, the
decision, and the honors it writes into the register — which cadres may also fill in directly.
"""
