"""Read the deployed path back from the APIs, as tables a learner can read.

Every function here reads; none changes anything. Names say what they show.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pandas as pd

from cdk_app.names import Output
from lab.clients import client
from lab.config import load_config
from lab.display import compact_ips
from lab.errors import LabError
from lab.masking import mask_secrets


def _outputs() -> dict:
    from lab.deployment import outputs

    return outputs()


def template_resources(template: dict | None = None) -> pd.DataFrame:
    """The synthesized template's resources: logical id and type, grouped by service."""
    if template is None:
        from lab.synthesis import template as synthesized

        template = synthesized()
    rows = [
        {"service": r["Type"].split("::")[1], "type": r["Type"], "logical_id": lid}
        for lid, r in template["Resources"].items()
    ]
    return pd.DataFrame(rows).sort_values(["service", "type", "logical_id"], ignore_index=True)


def outputs_table() -> pd.DataFrame:
    """The stack's outputs as a two-column table."""
    items = sorted(_outputs().items())
    return pd.DataFrame(items, columns=["output", "value"])


def resource_gateway() -> pd.Series:
    """The resource gateway: status, VPC, subnets, security groups, addresses per ENI."""
    gw = client("vpc-lattice").get_resource_gateway(
        resourceGatewayIdentifier=_outputs()[Output.ResourceGatewayId]
    )
    keys = ["id", "name", "status", "vpcId", "subnetIds", "securityGroupIds", "ipAddressType",
            "ipv4AddressesPerEni", "resourceConfigDnsResolution"]
    return pd.Series({k: gw.get(k) for k in keys}, name="resource gateway")


def resource_gateway_enis() -> pd.DataFrame:
    """The resource gateway's network interfaces, one row each.

    AWS documents no interface type or description for them, so they are found
    the robust way: the ENIs in the gateway's VPC that carry its dedicated
    security group.
    """
    gw = resource_gateway()
    enis = client("ec2").describe_network_interfaces(
        Filters=[
            {"Name": "vpc-id", "Values": [gw["vpcId"]]},
            {"Name": "group-id", "Values": list(gw["securityGroupIds"])},
        ]
    )["NetworkInterfaces"]
    rows = [
        {
            "eni": e["NetworkInterfaceId"],
            "subnet": e["SubnetId"],
            "az": e.get("AvailabilityZone"),
            "private_ips": compact_ips(
                a["PrivateIpAddress"] for a in e.get("PrivateIpAddresses", [])
            ),
            "security_groups": ", ".join(g["GroupId"] for g in e.get("Groups", [])),
            "status": e.get("Status"),
            "requester_managed": e.get("RequesterManaged"),
        }
        for e in enis
    ]
    # No type or description column: AWS documents neither for these ENIs.
    columns = ["eni", "subnet", "az", "private_ips", "security_groups", "status",
               "requester_managed"]
    return pd.DataFrame(rows, columns=columns).sort_values("az", ignore_index=True)


def check_gateway_enis() -> pd.DataFrame:
    """What must hold of the gateway's ENIs, each check with its result."""
    gw = resource_gateway()
    enis = resource_gateway_enis()
    subnets = set(gw["subnetIds"])
    sg = set(gw["securityGroupIds"])
    checks = [
        # VPC Lattice places at least one ENI in each subnet and may add more as the
        # gateway scales (its user guide gives no fixed count): "one each" is not promised.
        ("at least one ENI in each gateway subnet", subnets <= set(enis["subnet"])),
        ("every ENI is in a gateway subnet", set(enis["subnet"]) <= subnets),
        ("every ENI carries the gateway's security group",
         all(sg <= set(s.split(", ")) for s in enis["security_groups"])),
        ("ENIs span two availability zones", enis["az"].nunique() == 2),
    ]
    return pd.DataFrame(checks, columns=["check", "holds"])


def resource_configuration() -> pd.Series:
    """The resource configuration: type, ports, status and its DNS target."""
    cfg = client("vpc-lattice").get_resource_configuration(
        resourceConfigurationIdentifier=_outputs()[Output.ResourceConfigurationArn]
    )
    dns = cfg.get("resourceConfigurationDefinition", {}).get("dnsResource", {})
    return pd.Series(
        {
            "id": cfg["id"],
            "name": cfg["name"],
            "type": cfg["type"],
            "status": cfg["status"],
            "portRanges": cfg.get("portRanges"),
            "protocol": cfg.get("protocol"),
            "resourceGatewayId": cfg.get("resourceGatewayId"),
            "dns domainName": dns.get("domainName"),
            "dns ipAddressType": dns.get("ipAddressType"),
        },
        name="resource configuration",
    )


def _vpc_endpoint() -> dict:
    return client("ec2").describe_vpc_endpoints(VpcEndpointIds=[_outputs()[Output.VpcEndpointId]])[
        "VpcEndpoints"
    ][0]


def vpc_endpoint_dns_entries() -> pd.DataFrame:
    """The execute-api endpoint's DNS names, marking the one the configuration targets."""
    target = resource_configuration()["dns domainName"]
    rows = []
    for i, entry in enumerate(_vpc_endpoint().get("DnsEntries", [])):
        name = entry["DnsName"]
        kind = ("regional" if i == 0 else
                "private DNS" if not name.startswith("vpce-") else "zonal")
        rows.append({"dns_name": name, "kind": kind, "hosted_zone": entry.get("HostedZoneId"),
                     "configuration target": name == target})
    return pd.DataFrame(rows)


def resolve_dns_target() -> pd.DataFrame:
    """Resolve the configuration's DNS name and match each address to the endpoint's ENIs.

    aws mode asks real DNS. The sandbox has no DNS, so it answers from its
    model: the addresses of the ENIs of the endpoint that owns the name.
    """
    cfg = load_config()
    name = resource_configuration()["dns domainName"]
    endpoint = _vpc_endpoint()
    enis = client("ec2").describe_network_interfaces(
        NetworkInterfaceIds=endpoint.get("NetworkInterfaceIds", [])
    )["NetworkInterfaces"] if endpoint.get("NetworkInterfaceIds") else []
    by_ip = {e["PrivateIpAddress"]: e for e in enis}
    if cfg.is_sandbox:
        owns = any(d["DnsName"] == name for d in endpoint.get("DnsEntries", []))
        addresses = sorted(by_ip) if owns else []
        source = "sandbox model"
    else:
        try:
            infos = socket.getaddrinfo(name, 443, socket.AF_INET, socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            # Not an error of the lab's: the resource gateway resolves the name in AWS.
            # This machine's resolver may refuse it (see NOT_RESOLVED_HERE).
            return pd.DataFrame(
                [{"name": name, "address": None,
                  "answered_by": f"{UNRESOLVED_PREFIX} ({exc})", "endpoint_eni": None,
                  "subnet": None}],
                columns=["name", "address", "answered_by", "endpoint_eni", "subnet"])
        addresses = sorted({i[4][0] for i in infos})
        source = "DNS"
    rows = [
        {"name": name, "address": ip, "answered_by": source,
         "endpoint_eni": by_ip[ip]["NetworkInterfaceId"] if ip in by_ip else None,
         "subnet": by_ip[ip]["SubnetId"] if ip in by_ip else None}
        for ip in addresses
    ]
    return pd.DataFrame(rows, columns=["name", "address", "answered_by", "endpoint_eni", "subnet"])


UNRESOLVED_PREFIX = "not resolved on this machine"
NOT_RESOLVED_HERE = (
    "{name} did not resolve with this machine's resolver ({why}). That is about your network, "
    "not the lab: resolvers with DNS-rebinding protection (many home routers, Pi-hole, "
    "dnsmasq's stop-dns-rebind, some corporate filters) drop public names that answer "
    "private addresses, which is exactly what this name does. The resource gateway resolves "
    "it inside AWS, so the path is unaffected; to see the answer, ask another resolver, "
    "e.g. `nslookup {name} 1.1.1.1`."
)


def check_dns_target(resolved: pd.DataFrame) -> str:
    """Say whether the configuration's DNS name answers the endpoint's ENI addresses.

    Raises :class:`LabError` when it resolved to addresses that are not the endpoint's
    ENIs. In aws mode a name this machine's resolver would not answer is explained, not
    refused: the resource gateway resolves it inside AWS.
    """
    unresolved = resolved["address"].isna()
    if len(resolved) and unresolved.all():
        why = str(resolved["answered_by"].iloc[0]).removeprefix(UNRESOLVED_PREFIX).strip(" ()")
        return NOT_RESOLVED_HERE.format(name=resolved["name"].iloc[0], why=why)
    if len(resolved) == 0 or resolved["endpoint_eni"].isna().any():
        others = ", ".join(str(a) for a in resolved.loc[resolved["endpoint_eni"].isna(), "address"])
        raise LabError(
            f"the DNS target answered {others or 'no address'}, not only the endpoint's ENI "
            "addresses; if a resolver filter rewrote the answer, ask another resolver, "
            "otherwise run lab.failures.repair_all() and look again.")
    return (f"{resolved['name'].iloc[0]} answers {len(resolved)} address(es), each an ENI "
            "of the execute-api endpoint")


def connection() -> pd.Series:
    """The EventBridge connection with its secret masked."""
    desc = client("events").describe_connection(Name=_outputs()[Output.ConnectionName])
    desc = mask_secrets(desc)
    params = (desc.get("InvocationConnectivityParameters") or {}).get("ResourceParameters", {})
    auth = (desc.get("AuthParameters") or {}).get("ApiKeyAuthParameters", {})
    return pd.Series(
        {
            "Name": desc["Name"],
            "ConnectionState": desc["ConnectionState"],
            "StateReason": desc.get("StateReason", ""),
            "AuthorizationType": desc["AuthorizationType"],
            "ApiKeyName": auth.get("ApiKeyName"),
            "ApiKeyValue": "**** (never shown)",
            "ResourceConfigurationArn": params.get("ResourceConfigurationArn"),
            "ResourceAssociationArn": params.get("ResourceAssociationArn"),
        },
        name="connection",
    )


def connection_timeline(timeout_s: float | None = None, interval_s: float | None = None
                        ) -> pd.DataFrame:
    """The connection's life so far, then live polls until it is ACTIVE (or fails).

    The first rows come from the API's own timestamps (``CreationTime``,
    ``LastModifiedTime``, ``LastAuthorizedTime``), so the timeline is there even
    when the connection went ACTIVE long ago; then one row per state observed.
    ``after_created_s`` counts from ``CreationTime``.
    """
    from lab.waiting import profile, wait_for

    pace = profile(load_config())
    name = _outputs()[Output.ConnectionName]
    events = client("events")
    first = events.describe_connection(Name=name)
    created = first["CreationTime"]

    def row(when, what, state, source, reason=""):
        return {"at": when.strftime("%H:%M:%S.%f")[:-3],
                "after_created_s": round((when - created).total_seconds(), 1),
                "event": what, "state": state, "source": source, "reason": reason}

    rows = [row(created, "created", "CREATING", "CreationTime")]
    modified = first.get("LastModifiedTime")
    if modified and (modified - created).total_seconds() >= 0.5:
        rows.append(row(first["LastModifiedTime"], "modified", "UPDATING", "LastModifiedTime"))
    if first.get("LastAuthorizedTime"):
        rows.append(row(first["LastAuthorizedTime"], "authorized", "ACTIVE",
                        "LastAuthorizedTime"))
    seen: dict = {}

    def settled():
        d = events.describe_connection(Name=name) if seen else first
        state = d["ConnectionState"]
        if state != seen.get("state"):
            rows.append(row(datetime.now(UTC).astimezone(created.tzinfo), "observed", state,
                            "DescribeConnection", d.get("StateReason", "")))
            seen["state"] = state
        return state if state in ("ACTIVE", "FAILED_CONNECTIVITY", "DEAUTHORIZED") else None

    wait_for(settled, what=f"connection {name} to settle", describe=lambda: seen["state"],
             timeout_s=timeout_s or pace.resource_timeout_s,
             poll_s=interval_s or pace.resource_poll_s,
             fix="run the cell again, or check its StateReason in 04_connection_state")
    return pd.DataFrame(rows)
