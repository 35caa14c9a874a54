"""Processes (申请与办理): typed workflows declared by plugins, with steps, deadlines, referral, notices.

A plugin declares a :class:`~core.kernel.declarations.processes.ProcessType` through ``quntuan_process_types``;
the core stores instances, runs the one state machine (:mod:`core.processes.machine`), checks who may
take each step, applies deadlines, hands processes to other orgs (转办), publishes notices (公示) with
objections (异议), and answers the applicant's progress view and the cadre's work queue.
"""
