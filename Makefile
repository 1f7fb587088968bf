# The README's commands, one line each.
.PHONY: run test lint

run:
	scripts/local-stack.sh

test:
	scripts/test-all.sh

lint:
	cargo fmt --all --check && cargo clippy --workspace --all-targets -- -D warnings
