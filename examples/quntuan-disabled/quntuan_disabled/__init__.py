"""残联（China Disabled Persons' Federation）: an example X plugin, kept in quntuan's repository as its own
distribution and written as a third party would — it imports only ``core.sdk``.

It owns the 残联 org kinds, the registry of disability certificates (残疾人证: category 视力 … 多重,
grade 一至四级, the number encrypted, looked up by blind index, masked, every unmasked read audited),
two process types (残疾人证申领 and 康复/辅具救助申请) and statistics by category and grade.
"""

from core.sdk import PluginInfo, Text

INFO = PluginInfo(
    slug="disabled",
    name=Text(zh_hans="残联", zh_hant="殘聯", en="Disabled Persons' Federation"),
    version="0.1.0",
    core_api=">=1.0,<2",
)
