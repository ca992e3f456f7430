"""Installed only by the aws-mode rehearsal (``make test-aws-rehearsal``), never by the lab.

The rehearsal runs every notebook in aws mode against the sandbox (boto3's standard
``AWS_ENDPOINT_URL``, dummy credentials). Aws mode resolves the resource configuration's
DNS name with the system resolver, ``socket.getaddrinfo``; offline, no resolver knows
``*.vpce.amazonaws.com``. This hook answers exactly those names, the way Route 53 would:
from the sandbox's EC2 model (the ENIs of the VPC endpoint whose ``DnsEntries`` list the
name; an AZ-specific name gets only that AZ's ENIs). Every other name goes to the real
resolver. It is the rehearsal's only substitution: everything else is aws mode's own path.

Python imports ``sitecustomize`` at start-up from ``sys.path``; the rehearsal puts this
directory on ``PYTHONPATH`` of the papermill process and so of each notebook's kernel.
"""

from __future__ import annotations

import os
import socket

_SUFFIX = ".vpce.amazonaws.com"
_real_getaddrinfo = socket.getaddrinfo


def _addresses_from_sandbox(name: str) -> list[str]:
    import boto3

    # boto3 reads AWS_ENDPOINT_URL, the dummy credentials and the region from the
    # environment the rehearsal set: the same sandbox the notebooks talk to.
    ec2 = boto3.client("ec2", region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    for endpoint in ec2.describe_vpc_endpoints()["VpcEndpoints"]:
        names = [entry.get("DnsName", "").lower() for entry in endpoint.get("DnsEntries", [])]
        if name not in names or not endpoint.get("NetworkInterfaceIds"):
            continue
        enis = ec2.describe_network_interfaces(
            NetworkInterfaceIds=endpoint["NetworkInterfaceIds"]
        )["NetworkInterfaces"]
        zonal = [eni for eni in enis if f"-{eni['AvailabilityZone']}." in name]
        return sorted(eni["PrivateIpAddress"] for eni in (zonal or enis))
    return []


def _getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 - socket's names
    name = host.decode() if isinstance(host, bytes) else host
    if not isinstance(name, str) or not name.lower().rstrip(".").endswith(_SUFFIX):
        return _real_getaddrinfo(host, port, family, type, proto, flags)
    addresses = _addresses_from_sandbox(name.lower().rstrip("."))
    if not addresses or family not in (0, socket.AF_INET):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    port_number = port if isinstance(port, int) else int(port or 0)
    socktype = type or socket.SOCK_STREAM
    return [
        (socket.AF_INET, socktype, proto or socket.IPPROTO_TCP, "", (ip, port_number))
        for ip in addresses
    ]


if os.environ.get("LAB_REHEARSAL_RESOLVER") == "sandbox-ec2-model":
    socket.getaddrinfo = _getaddrinfo
