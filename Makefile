# PGXS build of the hgnn extension.  The model math (MATH_OBJS) is plain C
# over BLAS and is also built, without a server, by test/Makefile.

MODULE_big = hgnn
EXTENSION = hgnn
DATA = hgnn--0.1.0.sql hgnn--0.1.0--0.2.0.sql hgnn--0.2.0--0.3.0.sql \
	hgnn--0.3.0--0.4.0.sql hgnn--0.4.0--0.5.0.sql
PGFILEDESC = "hgnn - hierarchical graph neural network multi-task models"

MATH_OBJS = src/linalg.o src/rng.o src/layers.o src/model.o src/sampler.o \
	src/optim.o src/train.o src/predict.o src/encode.o src/inspect.o \
	src/base_model.o
SQL_OBJS = src/hgnn.o src/options.o src/keys.o src/feature_array.o src/fit.o \
	src/fit_final.o src/model_sql.o src/predict_sql.o src/inspect_sql.o \
	src/evaluate.o
OBJS = $(MATH_OBJS) $(SQL_OBJS)

SHLIB_LINK = -lopenblas -lm
PG_CFLAGS = -std=gnu99 -Wall -Wextra -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-sign-compare

# pg_regress reads sql/ and expected/ and writes results/ under outputdir
REGRESS = fit types predict catalog errors options encoding parallel timeout \
	functions deploy inspect evaluate upgrade safety regression robustness \
	base_models
REGRESS_OPTS = --outputdir=build/regress

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies; every object depends on every header
$(OBJS): $(wildcard src/*.h)

# pg_regress creates results/ but not outputdir itself
installcheck: build/regress
build/regress:
	mkdir -p $@

.PHONY: check-math
check-math:
	$(MAKE) -C test

EXTRA_CLEAN = build
