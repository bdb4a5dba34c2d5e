bash scripts/build.sh
