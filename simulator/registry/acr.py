"""Container Registry Enterprise Edition instances: their domains and password-free pulls.

An ACR Enterprise instance serves its repositories on two default domains,
`<name>-registry.<region>.cr.aliyuncs.com` (internet) and
`<name>-registry-vpc.<region>.cr.aliyuncs.com` (VPC), and on the custom domains bound to
it. Its repositories are private: a pull needs the instance's account
(`ImageRegistryCredential`) or a token ECI obtains itself. ECI's page "Pull images from a
Container Registry instance without using a Secret" gives when ECI pulls with its own token
(its service-linked role), and the simulator follows it:

* from a default domain of an instance of the caller's account: always;
* from a custom domain: only when the request names the instance (`AcrRegistryInfo.N`,
  which the virtual node fills from `k8s.aliyun.com/acr-instance-ids`); otherwise the
  pull is unauthorised, as any private registry's.

Every instance the simulator knows belongs to the caller's account: the cross-account
roles (`ArnService`, `ArnUser`) are accepted and ignored. Which instance an
`AcrRegistryInfo` names is decided by `InstanceId` and `RegionId` (the request's region
when empty: an assumption, the pages do not say how another region's instance is found);
`Domain.N`, when given, narrows the token to those domains. A named instance that does not
exist grants nothing (an assumption: the pages do not say whether ECI refuses the call);
the pull then fails unauthorised.

Values and pure lookups: no catalog, no store, no I/O. The token is modelled as the
instance's account, so the catalog's usual credential check accepts it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from simulator.registry.images import RegistryCredential
from simulator.registry.references import normalize_server

__all__ = ["AcrInstance", "AcrRegistryInfo", "acr_tokens"]


@dataclass(frozen=True, kw_only=True)
class AcrInstance:
    """One ACR Enterprise Edition instance: `cri-...`, its name, region and account."""

    instance_id: str
    name: str
    """The instance name, the first label of its default domains."""
    region_id: str
    username: str
    """The instance's access account (what `docker login` takes)."""
    password: str = field(repr=False)
    custom_domains: tuple[str, ...] = ()
    """Domains bound to the instance besides the two default ones (normalised)."""

    @property
    def public_domain(self) -> str:
        return f"{self.name}-registry.{self.region_id}.cr.aliyuncs.com"

    @property
    def vpc_domain(self) -> str:
        return f"{self.name}-registry-vpc.{self.region_id}.cr.aliyuncs.com"

    @property
    def default_domains(self) -> tuple[str, str]:
        return (self.public_domain, self.vpc_domain)

    @property
    def domains(self) -> tuple[str, ...]:
        return (*self.default_domains, *self.custom_domains)

    def account_for(self, server: str) -> RegistryCredential:
        """The instance's account as a credential for one of its domains."""
        return RegistryCredential(server=server, username=self.username, password=self.password)


@dataclass(frozen=True, kw_only=True)
class AcrRegistryInfo:
    """One `AcrRegistryInfo.N` of a request: an instance named for password-free pulls."""

    instance_id: str
    instance_name: str = ""
    region_id: str = ""
    """Empty: the request's region."""
    domains: tuple[str, ...] = ()
    """Empty: every domain of the instance."""


def acr_tokens(
    instances: Iterable[AcrInstance], named: Sequence[AcrRegistryInfo], *, region_id: str
) -> list[RegistryCredential]:
    """The credentials ECI pulls with for the instances a request of `region_id` names."""
    by_id = {instance.instance_id: instance for instance in instances}
    tokens: list[RegistryCredential] = []
    for info in named:
        instance = by_id.get(info.instance_id)
        if instance is None or instance.region_id != (info.region_id or region_id):
            continue
        wanted = {normalize_server(domain) for domain in info.domains}
        tokens.extend(
            instance.account_for(domain)
            for domain in instance.domains
            if not wanted or domain in wanted
        )
    return tokens
