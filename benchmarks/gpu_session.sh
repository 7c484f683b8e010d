#!/usr/bin/env bash
# Everything that needs a GPU, as one run of at most about 8 minutes, its logs in one folder.
#
#   bash benchmarks/gpu_session.sh              # on a machine with CUDA
#   bash benchmarks/gpu_session.sh --dry-run    # the same steps on the CPU, small: checks the script
#
# Run from the repository root, with the package installed (pip install -e ".[test]") and
# ../shared/data beside the repository (or SKMIXUP_SHARED_DATA set). Logs go to $OUT when set
# (the device machine's output folder), else benchmarks/results/gpu_session/. Each step has its
# own time limit, so that one slow step cannot take the others' time; a step that fails or
# times out is logged and the next one runs.
set -uo pipefail
cd "$(dirname "$0")/.."

DATA="${SKMIXUP_SHARED_DATA:-$PWD/../shared/data}"
LOGS="${OUT:-benchmarks/results/gpu_session}"
mkdir -p "$LOGS"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

if [[ "${1:-}" == "--dry-run" ]]; then
    DEVICE=cpu
    GPU_ARGS=(--datasets htru2 --epochs 1)
    CV_ARGS=(--datasets contraceptive --recipe paper)
else
    DEVICE=cuda
    GPU_ARGS=(--no-cpu --epochs 2)
    CV_ARGS=(--datasets abalone contraceptive phoneme)  # GridSearchCV on a GPU: 1-2 ms a step
    python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" || {
        echo "no CUDA here: run with --dry-run to check the script on the CPU" >&2
        exit 2
    }
fi

step() {  # step NAME SECONDS COMMAND...: run one step under a time limit, its output in a log
    local name=$1 limit=$2
    shift 2
    local start=$SECONDS
    echo "== $name (limit ${limit} s)"
    timeout "$limit" "$@" >"$LOGS/$name.log" 2>&1
    local rc=$?
    echo "   exit $rc after $((SECONDS - start)) s; log: $LOGS/$name.log"
    tail -n 3 "$LOGS/$name.log" | sed 's/^/   | /'
}

{
    date -u
    python -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null || true
} >"$LOGS/machine.log" 2>&1

# 1. The CUDA tests: GPU fits, mixed precision, streaming, a CUDA model loaded on the CPU, and
#    the batched alpha search on CUDA against GridSearchCV.
step test_gpu 150 python -m pytest tests/test_gpu.py tests/test_cv.py -q -x -p no:randomly
# 2. Per-epoch cost of a small MLP and of the image CNN: float32, bf16, torch.compile.
step bench_gpu 150 python benchmarks/bench_gpu.py --data "$DATA" "${GPU_ARGS[@]}"
# 3. The alpha search: MixupClassifierCV (every alpha's refit alongside the splits on a GPU)
#    against GridSearchCV and against one fit, default settings.
step bench_cv 180 python benchmarks/bench_cv.py --data-home "$DATA" --device "$DEVICE" \
    --n-jobs 1 "${CV_ARGS[@]}"
echo "logs in $LOGS"
