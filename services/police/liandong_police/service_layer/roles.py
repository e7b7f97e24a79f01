"""The roles of the bureau's staff, and what each may do beyond reading."""

INVESTIGATOR = "investigator"  # registers, proposes, investigates, detains, requests arrests, executes decisions
SUPERVISOR = "supervisor"  # 法制部门: also extends windows (filing; the detention window to request arrest)
BUREAU_HEAD = "bureau_head"  # 县级以上公安机关负责人: approves filing and declining (MPS Rules Art. 178)
ADMIN = "admin"  # operations: dead letters and the outbox (/ops)
ALL_ROLES = (INVESTIGATOR, SUPERVISOR, BUREAU_HEAD, ADMIN)
