"""Models of property management, split by topic; import them from here."""

from cityops.estates.models.bodies import (
    Committee,
    CommitteeKind,
    CommitteeMember,
    FundAccount,
    FundEntry,
    FundEntryKind,
)
from cityops.estates.models.campaigns import (
    Campaign,
    CampaignTarget,
    Milestone,
    ProgressReport,
    TargetStatus,
)
from cityops.estates.models.credit import (
    BlacklistEntry,
    CreditBand,
    CreditKind,
    CreditObjection,
    CreditRatedPeriod,
    CreditRecord,
    CreditScoreChange,
    CreditSource,
    ObjectionStatus,
)
from cityops.estates.models.register import CompoundManagement, Owner, Unit
from cityops.estates.models.votes import (
    Ballot,
    BallotChannel,
    Matter,
    Proposal,
    ProposalStatus,
)

__all__ = [
    "Ballot",
    "BallotChannel",
    "BlacklistEntry",
    "Campaign",
    "CampaignTarget",
    "Committee",
    "CommitteeKind",
    "CommitteeMember",
    "CompoundManagement",
    "CreditBand",
    "CreditKind",
    "CreditObjection",
    "CreditRatedPeriod",
    "CreditRecord",
    "CreditScoreChange",
    "CreditSource",
    "FundAccount",
    "FundEntry",
    "FundEntryKind",
    "Matter",
    "Milestone",
    "ObjectionStatus",
    "Owner",
    "ProgressReport",
    "Proposal",
    "ProposalStatus",
    "TargetStatus",
    "Unit",
]
