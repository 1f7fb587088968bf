# The README's commands, one line each.
.PHONY: run test faults bench lint build deploy

run:
	scripts/local-stack.sh

test:
	scripts/test-all.sh

# The fault suite (tests/faults/): a random seed unless SEED is given (make faults SEED=7);
# TARGET=account runs it against the account target with workspace assignment.
faults:
	cargo run --quiet -p tests --example faults -- $(if $(SEED),--seed $(SEED)) $(if $(TARGET),--target $(TARGET))

# What an operation costs, each figure beside its goal (BENCHMARKS.md): release builds, then
# tests/bench/bench.py. Figures only, no thresholds.
bench:
	scripts/bench.sh

lint:
	cargo fmt --all --check && cargo clippy --workspace --all-targets -- -D warnings && scripts/sam-checks.sh --lint-only

build:
	scripts/sam-checks.sh

deploy: build
	.venv-sam/bin/sam deploy --guided
