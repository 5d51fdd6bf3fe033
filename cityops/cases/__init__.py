"""Cases (案件): catalogue, the 数字城管 workflow, routing, deadlines and audit."""
