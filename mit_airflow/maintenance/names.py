"""Which cluster and which ECS services make up one Airflow deployment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClusterNames:
    """The cluster and its five Airflow services (Airflow 3 components)."""

    cluster: str
    scheduler: str
    worker: str
    web: str
    dag_processor: str
    triggerer: str

    @classmethod
    def for_cluster(cls, cluster: str, **overrides: str | None) -> ClusterNames:
        """Default every service to `<cluster>-<role>`; non-empty overrides win."""
        defaults = {
            "scheduler": f"{cluster}-scheduler",
            "worker": f"{cluster}-worker",
            "web": f"{cluster}-web",
            "dag_processor": f"{cluster}-dag-processor",
            "triggerer": f"{cluster}-triggerer",
        }
        chosen = {role: (overrides.get(role) or name) for role, name in defaults.items()}
        return cls(cluster=cluster, **chosen)

    def all_services(self) -> list[str]:
        """Every service, scheduler first (the order `status` shows them in)."""
        return [self.scheduler, self.web, self.dag_processor, self.triggerer, self.worker]

    def others(self) -> list[str]:
        """Every service except the scheduler: the ones a redeploy restarts while it is stopped."""
        return [self.web, self.dag_processor, self.triggerer, self.worker]
