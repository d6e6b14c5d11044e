#!/usr/bin/env bash
# Makes the Python environment of the spiking peers: Brian2 (the reference simulator of the
# neuron and plasticity fixtures), snntorch (the reference of the LIF `Leaky` fixtures) and the
# PyTorch it runs on, all from PyPI.
#
#   Benchmarks/peers/setup_spiking_peers.sh            # creates .venv-peers/ at the repository root
#   VENV=/some/where Benchmarks/peers/setup_spiking_peers.sh
#
# Only PyPI is needed: plain `pip install torch` from PyPI works here (a CUDA build, about 3 GB
# with its NVIDIA wheels; the peers use it on the CPU only). NumPy is held below 2.4 because
# Brian2 2.9.0 still wraps `ndarray.ptp`, which NumPy 2.4 removed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${VENV:-$root/.venv-peers}"
python3 -m venv "$venv"
"$venv/bin/pip" install --upgrade pip
"$venv/bin/pip" install "brian2==2.9.0" "snntorch==1.0.0" torch "numpy<2.4"
"$venv/bin/python" -c "import brian2, snntorch, torch, numpy; print('brian2', brian2.__version__, 'snntorch', snntorch.__version__, 'torch', torch.__version__, 'numpy', numpy.__version__)"
