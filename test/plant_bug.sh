#!/bin/sh
# Builds test_grad with each planted gradient bug (-DHGNN_PLANT_BUG=n, see
# src/layers.c, src/model.c and src/base_model.c) and checks that test_grad fails every time.
# Exits non-zero when a planted bug goes unnoticed.
#
#	test/plant_bug.sh			run from the repository root or test/

set -u
cd "$(dirname "$0")" || exit 2

bugs="1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18"
describe() {
	case $1 in
		1) echo "kernel graph backward uses dD in place of dD + dD^T" ;;
		2) echo "attention softmax backward drops the row term" ;;
		3) echo "attention backward treats the row norm as a constant" ;;
		4) echo "activation backward overwrites dx instead of adding" ;;
		5) echo "cross-entropy backward ignores the per-task mean" ;;
		6) echo "L2 penalty gradient misses the factor 2" ;;
		7) echo "max pooling backward uses the wrong row stride" ;;
		8) echo "dense backward drops the bias gradient" ;;
		9) echo "network backward reads C2 gradients one column left" ;;
		10) echo "row attention backward drops the path from S into H" ;;
		11) echo "squared error backward misses the factor 2" ;;
		12) echo "regression backward drops layer 1's share of dWg" ;;
		13) echo "LAF backward gives dS to task 0 only" ;;
		14) echo "Tucker backward drops the core's gradient" ;;
		15) echo "tensor train backward halves dG1" ;;
		16) echo "trace norm backward sums the modes instead of their mean" ;;
		17) echo "STL backward adds every task's dW into task 0's W" ;;
		18) echo "activation backward uses tanh's slope for relu too" ;;
	esac
}

unnoticed=0
for n in $bugs; do
	dir=build/plant$n
	log=$dir/test_grad.log
	if ! make -s BUILD="$dir" EXTRA_CFLAGS="-DHGNN_PLANT_BUG=$n" \
		"$dir/test_grad" >/dev/null; then
		echo "planted bug $n: build failed"
		unnoticed=1
		continue
	fi
	if "$dir/test_grad" >"$log" 2>&1; then
		echo "planted bug $n ($(describe "$n")): NOT caught, test_grad passed"
		unnoticed=1
	else
		echo "planted bug $n ($(describe "$n")): caught by $(grep -c '^FAIL' "$log") failed checks"
		grep '^FAIL' "$log" | sed 's/^/    /'
	fi
done

if [ "$unnoticed" -ne 0 ]; then
	echo "some planted bugs were not caught"
	exit 1
fi
echo "all planted bugs were caught"
