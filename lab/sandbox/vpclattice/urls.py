"""URL table entries the sandbox adds to moto's VPC Lattice service (``{0}`` = the host base).

Identifiers may be ARNs, whose ``/`` arrives percent-decoded in server mode:
hence ``.+`` for the last path segment, as moto does for its own ARN paths.
"""

from moto.vpclattice.responses import VPCLatticeResponse

url_paths = {
    "{0}/resourcegateways$": VPCLatticeResponse.dispatch,
    "{0}/resourcegateways/(?P<resourceGatewayIdentifier>.+)$": VPCLatticeResponse.dispatch,
    "{0}/resourceconfigurations$": VPCLatticeResponse.dispatch,
    "{0}/resourceconfigurations/(?P<resourceConfigurationIdentifier>.+)$": (
        VPCLatticeResponse.dispatch
    ),
}
