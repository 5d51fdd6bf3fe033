"""Property management (物业管理).

Compounds' management, company credit, owners' assemblies and votes.
"""
