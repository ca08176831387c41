/*
 * test_encode.c
 *		Tests of the model byte encoding, without a server.
 *
 * Builds small models by hand, encodes them, and checks that decoding
 * returns every field, and that truncated, altered, newer, forged and
 * random bytes are rejected with the right status, without leaking memory
 * or allocating more than the input could describe.  The last line is
 * "N passed, M failed", and the exit status is 1 when a check failed.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base_model.h"
#include "encode.h"
#include "hgnn_limits.h"

static int	passed = 0;
static int	failed = 0;

static void
check(int ok, const char *name)
{
	if (ok)
		passed++;
	else
	{
		failed++;
		printf("FAILED: %s\n", name);
	}
}

/* ---------------------------------------------------------------- */
/* Counting allocation hooks											*/
/* ---------------------------------------------------------------- */

static long live_allocations = 0;
static size_t largest_allocation = 0;

static void *
counting_alloc(size_t size)
{
	void	   *ptr = malloc(size);

	if (ptr == NULL)
	{
		fprintf(stderr, "out of memory allocating %zu bytes\n", size);
		exit(2);
	}
	live_allocations++;
	if (size > largest_allocation)
		largest_allocation = size;
	return ptr;
}

static void
counting_free(void *ptr)
{
	live_allocations--;
	free(ptr);
}

/* ---------------------------------------------------------------- */
/* Models built by hand												*/
/* ---------------------------------------------------------------- */

static char *
copy_string(const char *s)
{
	char	   *copy = hgnn_alloc(strlen(s) + 1);

	memcpy(copy, s, strlen(s));
	return copy;
}

static hgnn_real *
pattern(size_t count, double offset)
{
	hgnn_real  *values = hgnn_alloc_array(count, sizeof(hgnn_real));
	size_t		i;

	for (i = 0; i < count; i++)
		values[i] = (hgnn_real) sin(offset + 0.37 * i);
	return values;
}

/*
 * Model A: text labels, integer tasks, augmented.  Model B: boolean
 * labels, text tasks, not augmented, no info_json.
 */
static void
build_model(HgnnModel *model, int variant)
{
	HgnnConfig *cfg = &model->cfg;
	size_t		pairs;
	size_t		i;

	memset(model, 0, sizeof(*model));
	hgnn_config_defaults(cfg, HGNN_KIND_CLASSIFIER);
	cfg->n_features = variant == 0 ? 5 : 3;
	cfg->n_tasks = variant == 0 ? 3 : 2;
	cfg->n_classes = variant == 0 ? 4 : 2;
	cfg->hidden = 6;
	cfg->gat_hidden = 3;
	cfg->task_embedding = 2;
	cfg->class_embedding = 3;
	cfg->epochs = 7;
	cfg->batch_per_group = 4;
	cfg->learning_rate = 0.015;
	cfg->weight_decay = 0.125;
	cfg->sigma = 2.5;
	cfg->clip_norm = variant == 0 ? 0.0 : 5.0;
	cfg->seed = variant == 0 ? 42 : UINT64_C(9223372036854775807);
	cfg->standardize = variant == 0;
	cfg->augment = variant == 0;
	cfg->prior_correction = variant != 0;
	cfg->lr_schedule = variant == 0 ? HGNN_SCHEDULE_INVERSE :
		HGNN_SCHEDULE_CONSTANT;
	cfg->activation = variant == 0 ? HGNN_ACT_TANH : HGNN_ACT_RELU;
	cfg->weight_decay_scale = variant == 0 ? HGNN_DECAY_NONE : HGNN_DECAY_ROWS;
	hgnn_layout_init(cfg, &model->layout);

	pairs = (size_t) cfg->n_tasks * cfg->n_classes;
	model->params = pattern(model->layout.total, 0.1);
	model->task_emb = pattern((size_t) cfg->n_tasks * cfg->task_embedding, 1);
	model->class_emb = pattern(pairs * cfg->class_embedding, 2);
	model->present = hgnn_alloc(pairs);
	for (i = 0; i < pairs; i++)
		model->present[i] = (i % 3) != 1;
	model->log_prior = pattern(pairs, 3);
	model->feature_mean = pattern(cfg->n_features, 4);
	model->feature_scale = hgnn_alloc_array(cfg->n_features,
											sizeof(hgnn_real));
	for (i = 0; i < (size_t) cfg->n_features; i++)
		model->feature_scale[i] = (hgnn_real) (1.0 + i);

	model->final_loss = 0.6931;
	model->rows_used = 1234;
	model->rows_skipped = variant;
	model->train_seconds = 0.25;

	if (variant == 0)
	{
		static const char *labels[] = {"Zeta", "alpha", "beta", "\xc3\xa9t\xc3\xa9"};
		static const int64_t tasks[] = {-5, 0, 7};

		model->labels.kind = HGNN_KEY_TEXT;
		model->labels.count = 4;
		model->labels.texts = hgnn_alloc_array(4, sizeof(char *));
		for (i = 0; i < 4; i++)
			model->labels.texts[i] = copy_string(labels[i]);
		model->tasks.kind = HGNN_KEY_INT;
		model->tasks.count = 3;
		model->tasks.ints = hgnn_alloc_array(3, sizeof(int64_t));
		memcpy(model->tasks.ints, tasks, sizeof(tasks));
		model->info_json = copy_string("{\"epochs\": 7}");
	}
	else
	{
		model->labels.kind = HGNN_KEY_BOOL;
		model->labels.count = 2;
		model->labels.ints = hgnn_alloc_array(2, sizeof(int64_t));
		model->labels.ints[0] = 0;
		model->labels.ints[1] = 1;
		model->tasks.kind = HGNN_KEY_TEXT;
		model->tasks.count = 2;
		model->tasks.texts = hgnn_alloc_array(2, sizeof(char *));
		model->tasks.texts[0] = copy_string("east");
		model->tasks.texts[1] = copy_string("west");
		model->info_json = NULL;
	}
}

static uint8_t *
encode_model(const HgnnModel *model, size_t *size)
{
	uint8_t    *buf;

	*size = hgnn_encoded_size(model);
	buf = malloc(*size);
	hgnn_encode(model, buf);
	return buf;
}

static int
same_reals(const hgnn_real *a, const hgnn_real *b, size_t count)
{
	return memcmp(a, b, count * sizeof(hgnn_real)) == 0;
}

static int
same_keys(const HgnnKeys *a, const HgnnKeys *b)
{
	int			i;

	if (a->kind != b->kind || a->count != b->count)
		return 0;
	for (i = 0; i < a->count; i++)
	{
		if (a->kind == HGNN_KEY_TEXT)
		{
			if (strcmp(a->texts[i], b->texts[i]) != 0)
				return 0;
		}
		else if (a->ints[i] != b->ints[i])
			return 0;
	}
	return 1;
}

static int
same_config(const HgnnConfig *a, const HgnnConfig *b)
{
	return a->kind == b->kind && a->activation == b->activation &&
		a->n_features == b->n_features && a->n_tasks == b->n_tasks &&
		a->n_classes == b->n_classes && a->hidden == b->hidden &&
		a->gat_hidden == b->gat_hidden &&
		a->task_embedding == b->task_embedding &&
		a->class_embedding == b->class_embedding &&
		a->epochs == b->epochs && a->batch_per_group == b->batch_per_group &&
		a->learning_rate == b->learning_rate &&
		a->lr_schedule == b->lr_schedule &&
		a->weight_decay == b->weight_decay &&
		a->weight_decay_scale == b->weight_decay_scale &&
		a->sigma == b->sigma &&
		a->clip_norm == b->clip_norm && a->seed == b->seed &&
		a->standardize == b->standardize && a->augment == b->augment &&
		a->prior_correction == b->prior_correction &&
		a->base_model == b->base_model && a->trace_norm == b->trace_norm &&
		a->rank == b->rank && a->task_rank == b->task_rank &&
		a->class_rank == b->class_rank;
}

/* ---------------------------------------------------------------- */
/* Tests																	*/
/* ---------------------------------------------------------------- */

static void
test_round_trip(int variant)
{
	HgnnModel	model;
	HgnnModel	decoded;
	uint8_t    *buf;
	uint8_t    *again;
	size_t		size;
	size_t		size_again;
	size_t		pairs;
	uint32_t	version;
	char		errbuf[256];
	long		live_before;
	char		name[64];

	build_model(&model, variant);
	buf = encode_model(&model, &size);
	live_before = live_allocations;
	snprintf(name, sizeof(name), "round trip %d: decode ok", variant);
	check(hgnn_decode(buf, size, &decoded, &version, errbuf,
					  sizeof(errbuf)) == HGNN_DECODE_OK, name);
	check(version == HGNN_FORMAT_VERSION, "round trip: version");
	check(same_config(&model.cfg, &decoded.cfg), "round trip: config");
	check(model.layout.total == decoded.layout.total &&
		  model.layout.augmented_width == decoded.layout.augmented_width,
		  "round trip: layout");

	pairs = (size_t) model.cfg.n_tasks * model.cfg.n_classes;
	check(same_reals(model.params, decoded.params, model.layout.total),
		  "round trip: params");
	check(same_reals(model.task_emb, decoded.task_emb,
					 (size_t) model.cfg.n_tasks * model.cfg.task_embedding),
		  "round trip: task_emb");
	check(same_reals(model.class_emb, decoded.class_emb,
					 pairs * model.cfg.class_embedding),
		  "round trip: class_emb");
	check(memcmp(model.present, decoded.present, pairs) == 0,
		  "round trip: present");
	check(same_reals(model.log_prior, decoded.log_prior, pairs),
		  "round trip: log_prior");
	check(same_reals(model.feature_mean, decoded.feature_mean,
					 model.cfg.n_features), "round trip: feature_mean");
	check(same_reals(model.feature_scale, decoded.feature_scale,
					 model.cfg.n_features), "round trip: feature_scale");
	check(model.final_loss == decoded.final_loss &&
		  model.rows_used == decoded.rows_used &&
		  model.rows_skipped == decoded.rows_skipped &&
		  model.train_seconds == decoded.train_seconds,
		  "round trip: training statistics");
	check(same_keys(&model.labels, &decoded.labels), "round trip: labels");
	check(same_keys(&model.tasks, &decoded.tasks), "round trip: tasks");
	check((model.info_json == NULL && decoded.info_json == NULL) ||
		  (model.info_json && decoded.info_json &&
		   strcmp(model.info_json, decoded.info_json) == 0),
		  "round trip: info_json");
	check(decoded.pred_task_logit == NULL && decoded.pred_class_logit == NULL,
		  "round trip: prediction cache not decoded");
	check(hgnn_model_weights_hash(&model) ==
		  hgnn_model_weights_hash(&decoded), "round trip: weights hash");

	again = encode_model(&decoded, &size_again);
	check(size_again == size && memcmp(buf, again, size) == 0,
		  "round trip: re-encoding gives the same bytes");

	hgnn_model_free(&decoded);
	check(live_allocations == live_before,
		  "round trip: hgnn_model_free frees every decoded buffer");
	hgnn_model_free(&model);
	free(buf);
	free(again);
}

/* Decodes and checks the status, that nothing leaked and the model is empty. */
static HgnnDecodeStatus
decode_expect_failure(const uint8_t *buf, size_t len, int *clean)
{
	HgnnModel	model;
	HgnnModel	zero;
	char		errbuf[256];
	long		live_before = live_allocations;
	HgnnDecodeStatus status;

	status = hgnn_decode(buf, len, &model, NULL, errbuf, sizeof(errbuf));
	memset(&zero, 0, sizeof(zero));
	if (status == HGNN_DECODE_OK)
	{
		hgnn_model_free(&model);
		*clean = 0;
		return status;
	}
	*clean = live_allocations == live_before &&
		memcmp(&model, &zero, sizeof(model)) == 0 && errbuf[0] != '\0';
	return status;
}

static void
test_truncation(void)
{
	HgnnModel	model;
	uint8_t    *buf;
	size_t		size;
	size_t		len;
	int			all_truncated = 1;
	int			all_clean = 1;
	int			clean;

	build_model(&model, 0);
	buf = encode_model(&model, &size);
	check(decode_expect_failure(buf, 0, &clean) == HGNN_DECODE_BAD_MAGIC &&
		  clean, "truncation: empty input is not a model");
	for (len = 1; len < size; len++)
	{
		if (decode_expect_failure(buf, len, &clean) != HGNN_DECODE_TRUNCATED)
		{
			if (all_truncated)
				printf("truncation to %zu of %zu bytes not reported\n",
					   len, size);
			all_truncated = 0;
		}
		all_clean &= clean;
	}
	check(all_truncated, "truncation: every shorter length is truncated");
	check(all_clean, "truncation: nothing allocated after failure");
	hgnn_model_free(&model);
	free(buf);
}

/* Expected status when byte pos of the header changes. */
static int
header_status_ok(size_t pos, uint8_t orig, uint8_t changed,
				 HgnnDecodeStatus status)
{
	if (pos < 4)
		return status == HGNN_DECODE_BAD_MAGIC;
	if (pos < 8)
		return status == HGNN_DECODE_NEWER_VERSION ||
			status == HGNN_DECODE_CORRUPT;
	if (pos < 16)
		return status == HGNN_DECODE_BAD_CHECKSUM;
	if (pos < 24)
		return status == HGNN_DECODE_TRUNCATED ||
			status == HGNN_DECODE_CORRUPT;
	(void) orig;
	(void) changed;
	return status == HGNN_DECODE_BAD_CHECKSUM;
}

static void
test_flipped_bytes(void)
{
	HgnnModel	model;
	uint8_t    *buf;
	size_t		size;
	size_t		pos;
	int			all_rejected = 1;
	int			all_expected = 1;
	int			all_clean = 1;
	static const uint8_t masks[] = {0x01, 0x80, 0xff};
	size_t		m;

	build_model(&model, 0);
	buf = encode_model(&model, &size);
	for (pos = 0; pos < size; pos++)
	{
		for (m = 0; m < sizeof(masks); m++)
		{
			uint8_t		orig = buf[pos];
			HgnnDecodeStatus status;
			int			clean;

			buf[pos] ^= masks[m];
			status = decode_expect_failure(buf, size, &clean);
			if (status == HGNN_DECODE_OK)
				all_rejected = 0;
			if (!header_status_ok(pos, orig, buf[pos], status))
			{
				if (all_expected)
					printf("byte %zu xor 0x%02x gave status %d\n", pos,
						   masks[m], (int) status);
				all_expected = 0;
			}
			all_clean &= clean;
			buf[pos] = orig;
		}
	}
	check(all_rejected, "flipped bytes: every change is rejected");
	check(all_expected, "flipped bytes: status names the damaged part");
	check(all_clean, "flipped bytes: nothing allocated after failure");
	hgnn_model_free(&model);
	free(buf);
}

static void
put_u32_at(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) v;
	p[1] = (uint8_t) (v >> 8);
	p[2] = (uint8_t) (v >> 16);
	p[3] = (uint8_t) (v >> 24);
}

static void
put_u64_at(uint8_t *p, uint64_t v)
{
	put_u32_at(p, (uint32_t) v);
	put_u32_at(p + 4, (uint32_t) (v >> 32));
}

/* Rewrites the body length and checksum after a deliberate edit. */
static void
reseal(uint8_t *buf, size_t size)
{
	put_u64_at(buf + 16, size - HGNN_HEADER_SIZE);
	put_u64_at(buf + 8, hgnn_checksum(buf + HGNN_HEADER_SIZE,
									  size - HGNN_HEADER_SIZE));
}

/* Bytes of the config block, which the base block follows in version 3. */
#define TEST_CONFIG_BYTES (11 * 4 + 4 * 8 + 8 + 4)
#define TEST_BASE_BYTES (4 + 8 + 3 * 4)

/*
 * Deletes the last byte, weight_decay_scale, which versions 1 to 5 lack.
 * Returns whether it held none, the value those versions decode to.
 */
static int
remove_decay_scale(uint8_t *buf, size_t *size)
{
	*size -= 1;
	return buf[*size] == HGNN_DECAY_NONE;
}

/* Deletes the base block of a version 3 body, as versions 1 and 2 lack it. */
static void
remove_base_block(uint8_t *buf, size_t *size)
{
	uint8_t    *base = buf + HGNN_HEADER_SIZE + TEST_CONFIG_BYTES;

	memmove(base, base + TEST_BASE_BYTES,
			*size - HGNN_HEADER_SIZE - TEST_CONFIG_BYTES - TEST_BASE_BYTES);
	*size -= TEST_BASE_BYTES;
}

static void
test_newer_version(void)
{
	HgnnModel	model;
	HgnnModel	decoded;
	uint8_t    *buf;
	size_t		size;
	uint32_t	version = 0;
	char		errbuf[256];
	long		live_before = live_allocations;

	build_model(&model, 1);
	buf = encode_model(&model, &size);
	live_before = live_allocations;
	put_u32_at(buf + 4, HGNN_FORMAT_VERSION + 1);
	check(hgnn_decode(buf, size, &decoded, &version, errbuf, sizeof(errbuf)) ==
		  HGNN_DECODE_NEWER_VERSION, "newer version: status");
	check(version == HGNN_FORMAT_VERSION + 1, "newer version: version_out");
	check(strstr(errbuf, "newer") != NULL, "newer version: message");
	check(live_allocations == live_before, "newer version: nothing allocated");

	/* a newer version wins over a checksum its format may compute otherwise */
	buf[size - 1] ^= 0x55;
	check(hgnn_decode(buf, size, &decoded, &version, errbuf, sizeof(errbuf)) ==
		  HGNN_DECODE_NEWER_VERSION, "newer version: checked before checksum");

	put_u32_at(buf + 4, 0);
	check(hgnn_decode(buf, size, &decoded, &version, errbuf, sizeof(errbuf)) ==
		  HGNN_DECODE_CORRUPT, "version zero: corrupt");
	hgnn_model_free(&model);
	free(buf);
}

/* Body offsets of config fields, from the layout in encode.c. */
#define BODY_N_FEATURES 8
#define BODY_N_TASKS 12
#define BODY_HIDDEN 20
#define BODY_PARAMS (11 * 4 + 4 * 8 + 8 + 4 + 8 + 4)

static void
expect_forged_corrupt(const uint8_t *orig, size_t size, size_t body_offset,
					  uint32_t value, const char *name)
{
	uint8_t    *buf = malloc(size);
	int			clean;
	HgnnDecodeStatus status;

	memcpy(buf, orig, size);
	put_u32_at(buf + HGNN_HEADER_SIZE + body_offset, value);
	reseal(buf, size);
	largest_allocation = 0;
	status = decode_expect_failure(buf, size, &clean);
	check(status == HGNN_DECODE_CORRUPT, name);
	check(clean, "forged body: nothing allocated after failure");
	check(largest_allocation <= size,
		  "forged body: no allocation larger than the input");
	free(buf);
}

static void
test_forged_bodies(void)
{
	HgnnModel	model;
	uint8_t    *buf;
	uint8_t    *longer;
	size_t		size;
	size_t		label_offset;
	int			clean;
	float		nan_value = NAN;
	uint32_t	nan_bits;

	build_model(&model, 0);
	buf = encode_model(&model, &size);

	expect_forged_corrupt(buf, size, 0, 2, "forged body: unknown kind");
	expect_forged_corrupt(buf, size, BODY_N_FEATURES, HGNN_MAX_FEATURES,
						  "forged body: more features than the layout");
	expect_forged_corrupt(buf, size, BODY_N_FEATURES, 0xffffffffu,
						  "forged body: huge feature count");
	expect_forged_corrupt(buf, size, BODY_N_TASKS, HGNN_MAX_TASKS + 1,
						  "forged body: too many tasks");
	expect_forged_corrupt(buf, size, BODY_HIDDEN, HGNN_MAX_HIDDEN,
						  "forged body: hidden beyond the stored params");

	memcpy(&nan_bits, &nan_value, sizeof(nan_bits));
	expect_forged_corrupt(buf, size, BODY_PARAMS + 4, nan_bits,
						  "forged body: NaN parameter");

	/*
	 * The label keys follow the arrays and the training statistics.  The
	 * first label's length field is 8 bytes after the start of the keys.
	 */
	label_offset = size - HGNN_HEADER_SIZE;
	label_offset -= 1;			/* weight_decay_scale */
	label_offset -= 1 + 4;		/* relation flag and curve count */
	label_offset -= 1 + 4 + strlen(model.info_json);	/* info */
	label_offset -= 8 + 8 * 3;	/* task keys */
	label_offset -= 8;			/* label key header */
	label_offset -= 4 * 4 + strlen("Zeta") + strlen("alpha") +
		strlen("beta") + strlen("\xc3\xa9t\xc3\xa9");
	expect_forged_corrupt(buf, size, label_offset + 8, 0xfffffff0u,
						  "forged body: huge string length");
	expect_forged_corrupt(buf, size, label_offset + 4, 1u << 30,
						  "forged body: huge key count");
	expect_forged_corrupt(buf, size, label_offset, 7,
						  "forged body: unknown key kind");

	/* labels out of order: swap the first letters of "alpha" and "beta" */
	{
		uint8_t    *swapped = malloc(size);
		size_t		alpha = HGNN_HEADER_SIZE + label_offset + 8 + 4 +
			strlen("Zeta") + 4;
		size_t		beta = alpha + strlen("alpha") + 4;

		memcpy(swapped, buf, size);
		swapped[alpha] = 'b';
		swapped[beta] = 'a';
		reseal(swapped, size);
		check(decode_expect_failure(swapped, size, &clean) ==
			  HGNN_DECODE_CORRUPT && clean,
			  "forged body: labels not ascending");
		free(swapped);
	}

	/* a trailing byte inside the stated body */
	longer = malloc(size + 1);
	memcpy(longer, buf, size);
	longer[size] = 0;
	reseal(longer, size + 1);
	check(decode_expect_failure(longer, size + 1, &clean) ==
		  HGNN_DECODE_CORRUPT && clean, "forged body: trailing byte");

	/* a trailing byte after the stated body */
	memcpy(longer, buf, size);
	longer[size] = 0;
	check(decode_expect_failure(longer, size + 1, &clean) ==
		  HGNN_DECODE_CORRUPT && clean, "extra byte after the body");
	free(longer);

	hgnn_model_free(&model);
	free(buf);
}

/* xorshift64*, seeded, so the random inputs are the same on every run */
/*
 * Format version 2 stores the task relation and the training curve, and a
 * version 1 body, which ends before them, still decodes without them.
 */
static void
test_version2_fields(void)
{
	HgnnModel	model;
	HgnnModel	decoded;
	uint8_t    *buf;
	size_t		size;
	size_t		count;
	size_t		i;
	uint32_t	version = 0;
	long		live_before = live_allocations;
	char		errbuf[256];
	int			clean;

	build_model(&model, 0);
	count = (size_t) model.cfg.n_tasks * model.cfg.n_tasks;
	model.task_relation = hgnn_alloc_array(count, sizeof(hgnn_real));
	for (i = 0; i < count; i++)
		model.task_relation[i] = (hgnn_real) (0.1 + 0.05 * i);
	model.epoch_loss = hgnn_alloc_array(model.cfg.epochs, sizeof(double));
	for (i = 0; i < (size_t) model.cfg.epochs; i++)
		model.epoch_loss[i] = 2.0 / (1.0 + i);
	buf = encode_model(&model, &size);
	check(hgnn_decode(buf, size, &decoded, &version, errbuf,
					  sizeof(errbuf)) == HGNN_DECODE_OK,
		  "version 2 fields: decode");
	check(decoded.task_relation != NULL &&
		  same_reals(model.task_relation, decoded.task_relation, count),
		  "version 2 fields: task_relation");
	check(decoded.epoch_loss != NULL &&
		  memcmp(model.epoch_loss, decoded.epoch_loss,
				 model.cfg.epochs * sizeof(double)) == 0,
		  "version 2 fields: epoch_loss");
	hgnn_model_free(&decoded);
	free(buf);

	/* a relation weight outside [0, 1] */
	model.task_relation[1] = 1.5;
	buf = encode_model(&model, &size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "version 2 fields: relation weight above 1");
	free(buf);
	hgnn_free(model.task_relation);
	model.task_relation = NULL;

	/* a curve count other than the epochs, found just before the end */
	buf = encode_model(&model, &size);
	put_u32_at(buf + size - 1 - 8 * model.cfg.epochs - 4,
			   model.cfg.epochs + 1);
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "version 2 fields: curve count differs from epochs");
	free(buf);
	hgnn_free(model.epoch_loss);
	model.epoch_loss = NULL;

	/*
	 * Without both fields the body ends with a zero flag and a zero count.
	 * Cut them and the base block off and label the bytes version 1.
	 */
	buf = encode_model(&model, &size);
	check(remove_decay_scale(buf, &size) &&
		  buf[size - 5] == 0 && buf[size - 1] == 0,
		  "version 1 body: absent fields are written as zeros");
	size -= 5;
	remove_base_block(buf, &size);
	put_u32_at(buf + 4, 1);
	reseal(buf, size);
	check(hgnn_decode(buf, size, &decoded, &version, errbuf,
					  sizeof(errbuf)) == HGNN_DECODE_OK && version == 1,
		  "version 1 body: decodes");
	check(decoded.task_relation == NULL && decoded.epoch_loss == NULL,
		  "version 1 body: no relation and no curve");
	check(same_reals(model.params, decoded.params, model.layout.total),
		  "version 1 body: params");
	hgnn_model_free(&decoded);
	free(buf);
	hgnn_model_free(&model);

	/* a relation in a model without augmentation */
	build_model(&model, 1);
	count = (size_t) model.cfg.n_tasks * model.cfg.n_tasks;
	model.task_relation = hgnn_alloc_array(count, sizeof(hgnn_real));
	buf = encode_model(&model, &size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "version 2 fields: relation without augmentation");
	free(buf);
	hgnn_model_free(&model);
	check(live_allocations == live_before,
		  "version 2 fields: every allocation freed");
}

/*
 * Rebuilds the parameters of model for another base model, whose layout
 * differs, with a pattern that depends on the base model.
 */
static void
set_base_model(HgnnModel *model, HgnnBaseModel base_model, int rank,
			   int task_rank, int class_rank, double trace_norm)
{
	HgnnConfig *cfg = &model->cfg;

	cfg->base_model = base_model;
	cfg->rank = rank;
	cfg->task_rank = task_rank;
	cfg->class_rank = class_rank;
	cfg->trace_norm = trace_norm;
	hgnn_layout_init(cfg, &model->layout);
	hgnn_free(model->params);
	model->params = pattern(model->layout.total, 0.5 + base_model);
}

/*
 * Format version 3 stores the base model, trace_norm and the ranks, which
 * change the layout, and a version 2 body without them decodes as DMTL.
 */
static void
test_version3_base(void)
{
	HgnnModel	model;
	HgnnModel	decoded;
	uint8_t    *buf;
	uint8_t    *again;
	uint8_t    *base;
	size_t		size;
	size_t		size_again;
	size_t		dmtl_total;
	uint32_t	version = 0;
	long		live_before = live_allocations;
	char		errbuf[256];
	char		name[96];
	int			clean;
	int			b;

	for (b = HGNN_BASE_DMTL; b <= HGNN_BASE_LAST; b++)
	{
		/* STL needs a model without augmentation, variant 1 */
		build_model(&model, b == HGNN_BASE_STL ? 1 : 0);
		set_base_model(&model, (HgnnBaseModel) b, 2, 0, 3, 0.25);
		buf = encode_model(&model, &size);
		snprintf(name, sizeof(name), "version 3 %s: decode",
				 hgnn_base_model_name(b));
		check(hgnn_decode(buf, size, &decoded, &version, errbuf,
						  sizeof(errbuf)) == HGNN_DECODE_OK &&
			  version == HGNN_FORMAT_VERSION,
			  name);
		snprintf(name, sizeof(name), "version 3 %s: config",
				 hgnn_base_model_name(b));
		check(same_config(&model.cfg, &decoded.cfg), name);
		snprintf(name, sizeof(name), "version 3 %s: params",
				 hgnn_base_model_name(b));
		check(model.layout.total == decoded.layout.total &&
			  same_reals(model.params, decoded.params, model.layout.total),
			  name);
		again = encode_model(&decoded, &size_again);
		snprintf(name, sizeof(name), "version 3 %s: same bytes again",
				 hgnn_base_model_name(b));
		check(size_again == size && memcmp(buf, again, size) == 0, name);
		hgnn_model_free(&decoded);
		free(again);
		free(buf);
		hgnn_model_free(&model);
	}

	/* the Tucker layout differs from DMTL, so the ranks must round trip */
	build_model(&model, 0);
	dmtl_total = model.layout.total;
	set_base_model(&model, HGNN_BASE_TUCKER, 2, 1, 3, 0.0);
	check(model.layout.total != dmtl_total,
		  "version 3 tucker: layout differs from dmtl");
	buf = encode_model(&model, &size);
	base = buf + HGNN_HEADER_SIZE + TEST_CONFIG_BYTES;

	put_u32_at(base, HGNN_BASE_LAST + 1);
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "version 3: unknown base_model is corrupt");
	put_u32_at(base, HGNN_BASE_TUCKER);

	/* the last config byte, lr_schedule, was a padding 0 before */
	base[-1] = HGNN_SCHEDULE_LAST + 1;
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "version 3: unknown lr_schedule is corrupt");
	base[-1] = HGNN_SCHEDULE_INVERSE;

	put_u64_at(base + 4, UINT64_C(0xbff0000000000000));	/* -1.0 */
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "version 3: negative trace_norm is corrupt");
	put_u64_at(base + 4, 0);

	put_u32_at(base + 12, 0);
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "version 3: rank 0 is corrupt");
	put_u32_at(base + 12, 2);

	put_u32_at(base + 16, 3);
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "version 3: task_rank that changes the layout is corrupt");
	put_u32_at(base + 16, 1);

	/* model 0 is augmented, which STL cannot be */
	put_u32_at(base, HGNN_BASE_STL);
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "version 3: stl with augment is corrupt");
	free(buf);
	hgnn_model_free(&model);

	/* a version 2 body has no base block and decodes as DMTL */
	build_model(&model, 0);
	buf = encode_model(&model, &size);
	remove_decay_scale(buf, &size);
	remove_base_block(buf, &size);
	put_u32_at(buf + 4, 2);
	reseal(buf, size);
	check(hgnn_decode(buf, size, &decoded, &version, errbuf,
					  sizeof(errbuf)) == HGNN_DECODE_OK && version == 2,
		  "version 2 body: decodes");
	check(decoded.cfg.base_model == HGNN_BASE_DMTL &&
		  same_config(&model.cfg, &decoded.cfg),
		  "version 2 body: dmtl with the default ranks");
	check(same_reals(model.params, decoded.params, model.layout.total),
		  "version 2 body: params");
	hgnn_model_free(&decoded);
	free(buf);
	hgnn_model_free(&model);
	check(live_allocations == live_before,
		  "version 3 base: every allocation freed");
}

/*
 * relu exists from format version 5 on: an older version field with
 * activation relu is corrupt, and every version reads tanh.
 */
static void
test_activation_versions(void)
{
	HgnnModel	model;
	HgnnModel	decoded;
	uint8_t    *buf;
	uint8_t    *activation;
	size_t		size;
	size_t		size_current;
	uint32_t	version = 0;
	long		live_before = live_allocations;
	char		errbuf[256];
	int			clean;

	build_model(&model, 0);
	model.cfg.activation = HGNN_ACT_RELU;
	buf = encode_model(&model, &size);
	activation = buf + HGNN_HEADER_SIZE + 4;
	check(activation[0] == HGNN_ACT_RELU && activation[1] == 0 &&
		  activation[2] == 0 && activation[3] == 0,
		  "activation: stored after the kind");
	check(hgnn_decode(buf, size, &decoded, &version, errbuf,
					  sizeof(errbuf)) == HGNN_DECODE_OK &&
		  version == HGNN_FORMAT_VERSION &&
		  decoded.cfg.activation == HGNN_ACT_RELU,
		  "activation: relu decodes from the current version");
	hgnn_model_free(&decoded);

	size_current = size;
	remove_decay_scale(buf, &size);
	put_u32_at(buf + 4, 4);
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "activation: relu in a version 4 model is corrupt");

	put_u32_at(activation, HGNN_ACT_TANH);
	reseal(buf, size);
	check(hgnn_decode(buf, size, &decoded, &version, errbuf,
					  sizeof(errbuf)) == HGNN_DECODE_OK && version == 4 &&
		  decoded.cfg.activation == HGNN_ACT_TANH,
		  "activation: tanh decodes from version 4");
	hgnn_model_free(&decoded);

	size = size_current;
	put_u32_at(buf + 4, HGNN_FORMAT_VERSION);
	put_u32_at(activation, HGNN_ACT_LAST + 1);
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "activation: unknown value is corrupt");
	put_u32_at(activation, 0);
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "activation: 0 is corrupt");

	free(buf);
	hgnn_model_free(&model);
	check(live_allocations == live_before,
		  "activation: every allocation freed");
}

/*
 * weight_decay_scale exists from format version 6 on, as the last byte.  A
 * version 5 body ends before it and decodes as none, and a value past
 * HGNN_DECAY_LAST is corrupt.
 */
static void
test_decay_scale_versions(void)
{
	HgnnModel	model;
	HgnnModel	decoded;
	uint8_t    *buf;
	size_t		size;
	uint32_t	version = 0;
	long		live_before = live_allocations;
	char		errbuf[256];
	int			clean;

	build_model(&model, 0);
	model.cfg.weight_decay_scale = HGNN_DECAY_ROWS;
	buf = encode_model(&model, &size);
	check(buf[size - 1] == HGNN_DECAY_ROWS, "weight_decay_scale: last byte");
	check(hgnn_decode(buf, size, &decoded, &version, errbuf,
					  sizeof(errbuf)) == HGNN_DECODE_OK &&
		  decoded.cfg.weight_decay_scale == HGNN_DECAY_ROWS,
		  "weight_decay_scale: rows decodes");
	hgnn_model_free(&decoded);

	buf[size - 1] = HGNN_DECAY_LAST + 1;
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) == HGNN_DECODE_CORRUPT &&
		  clean, "weight_decay_scale: unknown value is corrupt");

	/* rows in a version 5 body cannot be stored: it decodes as none */
	remove_decay_scale(buf, &size);
	put_u32_at(buf + 4, 5);
	reseal(buf, size);
	check(hgnn_decode(buf, size, &decoded, &version, errbuf,
					  sizeof(errbuf)) == HGNN_DECODE_OK && version == 5 &&
		  decoded.cfg.weight_decay_scale == HGNN_DECAY_NONE,
		  "weight_decay_scale: a version 5 body decodes as none");
	hgnn_model_free(&decoded);

	/* a version 6 body without the byte is truncated or corrupt */
	put_u32_at(buf + 4, HGNN_FORMAT_VERSION);
	reseal(buf, size);
	check(decode_expect_failure(buf, size, &clean) != HGNN_DECODE_OK && clean,
		  "weight_decay_scale: a version 6 body must hold it");
	free(buf);
	hgnn_model_free(&model);
	check(live_allocations == live_before,
		  "weight_decay_scale: every allocation freed");
}

static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

static void
test_random_bytes(void)
{
	uint64_t	state = UINT64_C(0x9e3779b97f4a7c15);
	uint8_t    *buf = malloc(4096);
	int			all_rejected = 1;
	int			all_clean = 1;
	int			sealed_rejected = 1;
	int			round;

	largest_allocation = 0;
	for (round = 0; round < 2000; round++)
	{
		size_t		len = next_random(&state) % 4096;
		size_t		i;
		int			clean;

		for (i = 0; i < len; i++)
			buf[i] = (uint8_t) next_random(&state);
		if (decode_expect_failure(buf, len, &clean) == HGNN_DECODE_OK)
			all_rejected = 0;
		all_clean &= clean;

		/* the same bytes behind a valid header and checksum */
		if (len >= HGNN_HEADER_SIZE)
		{
			memcpy(buf, "HGNN", 4);
			put_u32_at(buf + 4, HGNN_FORMAT_VERSION);
			reseal(buf, len);
			if (decode_expect_failure(buf, len, &clean) != HGNN_DECODE_CORRUPT)
				sealed_rejected = 0;
			all_clean &= clean;
		}
	}
	check(all_rejected, "random bytes: rejected");
	check(sealed_rejected, "random bytes with a valid header: corrupt");
	check(all_clean, "random bytes: nothing allocated after failure");
	check(largest_allocation <= 4096,
		  "random bytes: no allocation larger than the input");
	free(buf);
}

int
main(void)
{
	hgnn_alloc_hook = counting_alloc;
	hgnn_free_hook = counting_free;

	test_round_trip(0);
	test_round_trip(1);
	test_truncation();
	test_flipped_bytes();
	test_newer_version();
	test_forged_bodies();
	test_version2_fields();
	test_version3_base();
	test_activation_versions();
	test_decay_scale_versions();
	test_random_bytes();
	check(live_allocations == 0, "every allocation freed");

	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
