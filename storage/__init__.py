"""Persistence for discolab: campaigns, experiments, candidates, evaluations, benchmark runs.

Use :class:`CampaignStore` (campaigns) or :class:`BenchmarkStore` (scored benchmark runs) over
a :class:`Database`; rows stay inside this package.
"""

from discolab.storage.benchmarks import BenchmarkRun, BenchmarkStore, RunSpec, TaskResult
from discolab.storage.calls import ModelCall, ModelCallStore, Usage
from discolab.storage.db import Database, default_database_url, sqlite_url
from discolab.storage.records import CampaignRecord, CampaignStatus, ScoredRecord
from discolab.storage.schema import SCHEMA_VERSION, Migration
from discolab.storage.store import BatchItem, CampaignStore

__all__ = [
    "SCHEMA_VERSION",
    "BatchItem",
    "BenchmarkRun",
    "BenchmarkStore",
    "CampaignRecord",
    "CampaignStatus",
    "CampaignStore",
    "Database",
    "Migration",
    "ModelCall",
    "ModelCallStore",
    "RunSpec",
    "ScoredRecord",
    "TaskResult",
    "Usage",
    "default_database_url",
    "sqlite_url",
]
