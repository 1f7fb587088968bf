# The README's commands, one line each.
.PHONY: run test faults lint build deploy

run:
	scripts/local-stack.sh

test:
	scripts/test-all.sh

# The fault suite (tests/faults/): a random seed unless SEED is given (make faults SEED=7).
faults:
	cargo run --quiet -p tests --example faults -- $(if $(SEED),--seed $(SEED))

lint:
	cargo fmt --all --check && cargo clippy --workspace --all-targets -- -D warnings && scripts/sam-checks.sh --lint-only

build:
	scripts/sam-checks.sh

deploy: build
	.venv-sam/bin/sam deploy --guided
