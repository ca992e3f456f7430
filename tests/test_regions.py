"""lab.regions: the committed table of unsupported regions matches cfn-lint's schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.config import load_config
from lab.errors import LabError
from lab.regions import (
    MISSING_IN_REGION,
    REQUIRED_PROPERTIES,
    REQUIRED_RESOURCE_TYPES,
    UNSUPPORTED_REGIONS,
    check_region_supported,
)


def _missing_per_cfn_lint() -> dict[str, tuple[str, ...]]:
    """Recompute MISSING_IN_REGION from the installed cfn-lint's region schemas."""
    from cfnlint.helpers import REGIONS
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as schemas

    providers = Path(schemas._providers_dir)
    missing: dict[str, tuple[str, ...]] = {}
    for region in sorted(REGIONS):
        # cfn-lint falls back to us-east-1 for a region it has no file for;
        # that would claim support it does not know about.
        if not (providers / f"{region}.json").exists():
            continue
        types = set(schemas.get_resource_types(region))
        gaps = [t for t in REQUIRED_RESOURCE_TYPES if t not in types]
        for type_name, properties in REQUIRED_PROPERTIES.items():
            if type_name in types:
                offered = schemas.get_resource_schema(region, type_name).schema["properties"]
                gaps += [f"{type_name}.{p}" for p in properties if p not in offered]
        if gaps:
            missing[region] = tuple(gaps)
    return missing


def test_committed_table_matches_cfn_lint():
    recomputed = _missing_per_cfn_lint()
    assert recomputed == MISSING_IN_REGION, (
        "cfn-lint's region schemas changed; copy this dict into lab/regions.py "
        f"MISSING_IN_REGION: {recomputed!r}"
    )


def test_cfn_lint_knows_the_regions_the_lab_is_taught_in():
    # Guards the recomputation itself: if cfn-lint stopped shipping region
    # files, every region would look unsupported-or-unknown and the table test
    # would prove nothing.
    recomputed = _missing_per_cfn_lint()
    assert "us-east-1" not in recomputed
    assert "il-central-1" in recomputed


def test_unsupported_regions_are_the_table_keys():
    assert UNSUPPORTED_REGIONS == frozenset(MISSING_IN_REGION)


@pytest.mark.parametrize("region", ["il-central-1", "cn-north-1", "us-gov-west-1"])
def test_unsupported_region_error_names_region_missing_type_and_fix(region):
    with pytest.raises(LabError) as info:
        check_region_supported(region)
    message = str(info.value)
    assert region in message
    assert "AWS::VpcLattice::ResourceGateway" in message
    assert "LAB_REGION=us-east-1" in message


def test_region_lacking_only_the_connection_names_the_connection():
    with pytest.raises(LabError, match=r"ca-west-1 has no AWS::Events::Connection in"):
        check_region_supported("ca-west-1")


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-2"])
def test_supported_regions_pass(region):
    check_region_supported(region)  # raises nothing


def test_sandbox_mode_refuses_an_unsupported_region_too():
    # one code path: a region that fails on AWS fails the same way offline
    with pytest.raises(LabError, match="cn-north-1"):
        load_config({"LAB_REGION": "cn-north-1"})


@pytest.mark.parametrize("mode", ["sandbox", "aws"])
def test_an_unknown_region_is_refused_up_front_with_the_valid_ones(mode):
    with pytest.raises(LabError, match=r"LAB_REGION='mars-1' is not an AWS region; .*eu-west-1"):
        load_config({"LAB_MODE": mode, "LAB_REGION": "mars-1"})


def test_the_valid_regions_listed_leave_out_the_unsupported_ones():
    from lab.regions import UNSUPPORTED_REGIONS, supported_regions

    listed = supported_regions()
    assert "us-east-1" in listed and not set(listed) & UNSUPPORTED_REGIONS


def test_a_region_newer_than_botocore_but_shaped_like_one_is_let_through():
    assert load_config({"LAB_MODE": "sandbox", "LAB_REGION": "eu-north-9"}).region == "eu-north-9"


def test_botocores_endpoint_data_is_read_once_per_process(monkeypatch):
    """Every load_config() checks the region against botocore's packaged endpoint data
    (botocore/data/endpoints.json, about 1 MB): parsed on every call it was most of the CPU
    the failure-lab tests spent. The file does not change while a process runs."""
    import botocore.loaders

    from lab import regions

    read = []
    real = botocore.loaders.Loader.load_data
    monkeypatch.setattr(botocore.loaders.Loader, "load_data",
                        lambda self, name: read.append(name) or real(self, name))
    getattr(regions._partitions, "cache_clear", lambda: None)()  # read afresh below
    for region in ("us-east-1", "eu-west-1", "eu-north-9"):
        load_config({"LAB_MODE": "sandbox", "LAB_REGION": region})
    with pytest.raises(LabError, match="not an AWS region"):
        load_config({"LAB_MODE": "sandbox", "LAB_REGION": "mars-1"})
    assert read == ["endpoints"]
