# The README's commands, one line each.
.PHONY: run test lint build deploy

run:
	scripts/local-stack.sh

test:
	scripts/test-all.sh

lint:
	cargo fmt --all --check && cargo clippy --workspace --all-targets -- -D warnings && scripts/sam-checks.sh --lint-only

build:
	scripts/sam-checks.sh

deploy: build
	.venv-sam/bin/sam deploy --guided
