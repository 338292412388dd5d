"""`akhbar demo`: serve the bundled site on 127.0.0.1 and run the real nightly flow on it."""

from __future__ import annotations

from pathlib import Path

from akhbar.flows.demo.server import LoopbackNetwork
from akhbar.flows.demo.site import build_site

DEMO_SEEDS_DIR = Path(__file__).parent / "seeds"
DEMO_HOST = "demo.akhbar.test"


def demo_network() -> LoopbackNetwork:
    """The demo site, not yet started."""
    return LoopbackNetwork({DEMO_HOST: build_site(f"http://{DEMO_HOST}")})


def run_demo():
    """Serve the demo site and run `nightly` on it; the nightly run's final state."""
    from akhbar.flows.nightly import nightly

    with demo_network() as network:
        return nightly(sites=["demo"], seeds_dir=str(DEMO_SEEDS_DIR), proxy=network.proxy_url,
                       return_state=True)
