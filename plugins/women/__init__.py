"""妇联 — the Women's Federation: federations, grassroots federations and women's groups (1+10+95+N).

What it builds on the core: rights cases (维权, ``women.rights_case``) and care files (关爱帮扶,
``women.care_file``) as sensitive process types; 最美家庭, 三八红旗手/集体, 巾帼建功标兵 and 最美儿童之家 as
selection types; 妇女之家 and 儿童之家 as place kinds; family-education and home-activity event types.
Its own tables and routes (``/api/v1/women/…``): executive members (执委) with contacts, activity and
evaluations (and their import from a federation's workbook), the 1+10+95+N shape of a subtree, and
empowerment programs with enrolment, attendance and outcomes; its part of the demo seed. Built-in
roles: 妇联主席 (``women.chair``) and 执委 (``women.executive``).
"""

from core.sdk import PluginInfo, Text

PLUGIN_INFO = PluginInfo(
    slug="women",
    name=Text(zh_hans="妇联", zh_hant="婦聯", en="Women's Federation"),
    version="0.3.0",
    core_api=">=1.0,<2",
    description=Text(
        zh_hans="各级妇联、村（社区）及楼宇、企业妇联与妇女小组",
        en="Women's federations at each level, grassroots federations in villages, communities, buildings and enterprises, and women's groups",
    ),
)
