"""V2GKit's matchers from Python, over its C core: exact linear sum assignment (dense and sparse, with the dual
certificate; the same calls as scipy's), RET, SRET and the greedy matcher."""
from ._native import PPM_ONE, V2GError, lib
from .lsap import cost_bound, linear_sum_assignment, min_weight_full_bipartite_matching
from .markets import Match, greedy, ret, sret

__version__ = lib.v2g_version_string().decode()
__all__ = ["linear_sum_assignment", "min_weight_full_bipartite_matching", "cost_bound", "ret", "sret", "greedy",
           "Match", "V2GError", "PPM_ONE", "__version__"]
