"""Files (附件): attachments of any owner — a process, a public notice, a place, a selection.

An owner is named by ``(owner kind, owner id)``. The core domains and plugins register owner kinds
(:class:`~core.kernel.declarations.files.FileOwnerKind`, through the ``quntuan_file_owners`` hook) with a callback that
decides what a principal may do with the files of one owner; files never decide that themselves.
"""
