/*
 * encode.c
 *		Byte encoding of a trained model.
 *
 * Every multi-byte value is little-endian.  Every hgnn_real is stored as
 * an IEEE float32, also in the double build.  The body, in order:
 *
 *	config		u32 kind, activation, n_features, n_tasks, n_classes, hidden,
 *				gat_hidden, task_embedding, class_embedding, epochs,
 *				batch_per_group; f64 learning_rate, weight_decay, sigma,
 *				clip_norm; u64 seed; u8 standardize, augment,
 *				prior_correction, lr_schedule (version 4 on; a padding 0
 *				before, and those models trained with the inverse
 *				schedule)
 *	base		version 3 on: u32 base_model, f64 trace_norm, u32 rank,
 *				task_rank, class_rank
 *	layout		u64 total, u32 augmented_width (checked against the layout
 *				that the config implies)
 *	arrays		f32 params[total], task_emb[T*ft], class_emb[T*C*fc];
 *				u8 present[T*C]; f32 log_prior[T*C], feature_mean[d],
 *				feature_scale[d]
 *	targets		regression only: f64 target_mean[T], target_scale[T]
 *	training	f64 final_loss, i64 rows_used, i64 rows_skipped,
 *				f64 train_seconds
 *	keys		labels, then tasks: u32 kind, u32 count, then count i64
 *				values, or count strings as u32 length and bytes
 *	info		u8 present, u32 length, bytes of info_json
 *
 * Kind 2, a regression model, exists from format version 2 on.  It has
 * n_classes 1, empty class_emb, present and log_prior, the targets arrays,
 * and label keys of kind integer (1) or real (4) with no values.  The
 * layout of its params adds Wg (see hgnn_layout_init).
 *
 * Format version 2 appends, and version 1 ends before:
 *
 *	relation	u8 present, then f32 task_relation[T*T] when present
 *	curve		u32 count, 0 or epochs, then f64 epoch_loss[count]
 *
 * Format version 3 inserts the base block after the config, because the
 * layout depends on the base model.  Versions 1 and 2 have no base block
 * and decode as DMTL with the default trace_norm and ranks.
 *
 * Format version 4 stores the learning-rate schedule in the last config
 * byte.  The length is that of version 3.  A version 3 reader rejects a
 * schedule other than 0 as corrupt, so the new version number makes it
 * report the model as newer instead.
 *
 * Format version 5 allows activation 2 (relu) and keeps the length of
 * version 4.  A version 4 reader rejects activation 2 as corrupt, so the
 * new version number makes it report the model as newer.  Older versions
 * must store activation 1 (tanh).
 *
 * Format version 6 appends, and version 5 ends before:
 *
 *	decay		u8 weight_decay_scale (older models: 0, none)
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "encode.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hgnn_limits.h"

static const uint8_t hgnn_magic[4] = {'H', 'G', 'N', 'N'};

uint64_t
hgnn_checksum(const uint8_t *buf, size_t len)
{
	uint64_t	hash = UINT64_C(14695981039346656037);
	size_t		i;

	for (i = 0; i < len; i++)
	{
		hash ^= buf[i];
		hash *= UINT64_C(1099511628211);
	}
	return hash;
}

/* ---------------------------------------------------------------- */
/* Writing																	*/
/* ---------------------------------------------------------------- */

typedef struct Writer
{
	uint8_t    *pos;
} Writer;

static void
put_u8(Writer *w, uint8_t v)
{
	*w->pos++ = v;
}

static void
put_u32(Writer *w, uint32_t v)
{
	int			i;

	for (i = 0; i < 4; i++)
		*w->pos++ = (uint8_t) (v >> (8 * i));
}

static void
put_u64(Writer *w, uint64_t v)
{
	int			i;

	for (i = 0; i < 8; i++)
		*w->pos++ = (uint8_t) (v >> (8 * i));
}

static void
put_f64(Writer *w, double v)
{
	uint64_t	bits;

	memcpy(&bits, &v, sizeof(bits));
	put_u64(w, bits);
}

static void
put_f32_array(Writer *w, const hgnn_real *values, size_t count)
{
	size_t		i;

	for (i = 0; i < count; i++)
	{
		float		f = values ? (float) values[i] : 0.0f;
		uint32_t	bits;

		memcpy(&bits, &f, sizeof(bits));
		put_u32(w, bits);
	}
}

static void
put_bytes(Writer *w, const void *bytes, size_t len)
{
	if (len > 0)
		memcpy(w->pos, bytes, len);
	w->pos += len;
}

static size_t
keys_encoded_size(const HgnnKeys *keys)
{
	size_t		size = 8;
	int			i;

	if (keys->kind == HGNN_KEY_TEXT)
	{
		for (i = 0; i < keys->count; i++)
			size += 4 + strlen(keys->texts[i]);
	}
	else
		size += 8 * (size_t) keys->count;
	return size;
}

static void
put_keys(Writer *w, const HgnnKeys *keys)
{
	int			i;

	put_u32(w, (uint32_t) keys->kind);
	put_u32(w, (uint32_t) keys->count);
	for (i = 0; i < keys->count; i++)
	{
		if (keys->kind == HGNN_KEY_TEXT)
		{
			size_t		len = strlen(keys->texts[i]);

			put_u32(w, (uint32_t) len);
			put_bytes(w, keys->texts[i], len);
		}
		else
			put_u64(w, (uint64_t) keys->ints[i]);
	}
}

/*
 * Element counts of the arrays that follow the layout, in body order.  A
 * regression model (kind 2, from format version 2 on) has no class
 * embeddings, presence flags or priors, and instead the mean and scale of
 * every task's targets.
 */
typedef struct ArrayCounts
{
	size_t		task_emb;
	size_t		class_emb;
	size_t		pairs;			/* T x C: present and log_prior */
	size_t		features;
	size_t		targets;		/* T: target_mean and target_scale */
} ArrayCounts;

static void
array_counts(const HgnnConfig *cfg, ArrayCounts *counts)
{
	size_t		tasks = (size_t) cfg->n_tasks;
	int			regression = cfg->kind == HGNN_KIND_REGRESSION;

	counts->task_emb = tasks * (size_t) cfg->task_embedding;
	counts->class_emb = regression ? 0 : tasks * (size_t) cfg->n_classes *
		(size_t) cfg->class_embedding;
	counts->pairs = regression ? 0 : tasks * (size_t) cfg->n_classes;
	counts->features = (size_t) cfg->n_features;
	counts->targets = regression ? tasks : 0;
}

/* Values of the T x T task relation matrix. */
static size_t
relation_count(const HgnnConfig *cfg)
{
	return (size_t) cfg->n_tasks * (size_t) cfg->n_tasks;
}

/* Fixed part of the body: config, base, layout, training statistics. */
#define CONFIG_BYTES (11 * 4 + 4 * 8 + 8 + 4)
#define BASE_BYTES (4 + 8 + 3 * 4)
#define LAYOUT_BYTES (8 + 4)
#define TRAINING_BYTES (4 * 8)

static size_t
body_size(const HgnnModel *model)
{
	ArrayCounts counts;
	size_t		size;

	array_counts(&model->cfg, &counts);
	size = CONFIG_BYTES + BASE_BYTES + LAYOUT_BYTES + TRAINING_BYTES;
	size += 4 * (model->layout.total + counts.task_emb + counts.class_emb +
				 counts.pairs + 2 * counts.features);
	size += counts.pairs;
	size += 2 * 8 * counts.targets;
	size += keys_encoded_size(&model->labels);
	size += keys_encoded_size(&model->tasks);
	size += 1 + 4 + (model->info_json ? strlen(model->info_json) : 0);
	size += 1 + (model->task_relation ? 4 * relation_count(&model->cfg) : 0);
	size += 4 + (model->epoch_loss ? 8 * (size_t) model->cfg.epochs : 0);
	size += 1;					/* weight_decay_scale */
	return size;
}

size_t
hgnn_encoded_size(const HgnnModel *model)
{
	return HGNN_HEADER_SIZE + body_size(model);
}

void
hgnn_encode(const HgnnModel *model, uint8_t *buf)
{
	const HgnnConfig *cfg = &model->cfg;
	ArrayCounts counts;
	size_t		body_len = body_size(model);
	size_t		info_len = model->info_json ? strlen(model->info_json) : 0;
	Writer		w;
	size_t		i;

	array_counts(cfg, &counts);

	/* header, with the checksum filled in once the body is written */
	w.pos = buf;
	put_bytes(&w, hgnn_magic, 4);
	put_u32(&w, HGNN_FORMAT_VERSION);
	put_u64(&w, 0);
	put_u64(&w, (uint64_t) body_len);

	/* config */
	put_u32(&w, (uint32_t) cfg->kind);
	put_u32(&w, (uint32_t) cfg->activation);
	put_u32(&w, (uint32_t) cfg->n_features);
	put_u32(&w, (uint32_t) cfg->n_tasks);
	put_u32(&w, (uint32_t) cfg->n_classes);
	put_u32(&w, (uint32_t) cfg->hidden);
	put_u32(&w, (uint32_t) cfg->gat_hidden);
	put_u32(&w, (uint32_t) cfg->task_embedding);
	put_u32(&w, (uint32_t) cfg->class_embedding);
	put_u32(&w, (uint32_t) cfg->epochs);
	put_u32(&w, (uint32_t) cfg->batch_per_group);
	put_f64(&w, cfg->learning_rate);
	put_f64(&w, cfg->weight_decay);
	put_f64(&w, cfg->sigma);
	put_f64(&w, cfg->clip_norm);
	put_u64(&w, cfg->seed);
	put_u8(&w, cfg->standardize ? 1 : 0);
	put_u8(&w, cfg->augment ? 1 : 0);
	put_u8(&w, cfg->prior_correction ? 1 : 0);
	put_u8(&w, (uint8_t) cfg->lr_schedule);

	/* base model, format version 3 */
	put_u32(&w, (uint32_t) cfg->base_model);
	put_f64(&w, cfg->trace_norm);
	put_u32(&w, (uint32_t) cfg->rank);
	put_u32(&w, (uint32_t) cfg->task_rank);
	put_u32(&w, (uint32_t) cfg->class_rank);

	/* layout */
	put_u64(&w, (uint64_t) model->layout.total);
	put_u32(&w, (uint32_t) model->layout.augmented_width);

	/* arrays */
	put_f32_array(&w, model->params, model->layout.total);
	put_f32_array(&w, model->task_emb, counts.task_emb);
	put_f32_array(&w, model->class_emb, counts.class_emb);
	if (model->present)
		put_bytes(&w, model->present, counts.pairs);
	else
	{
		memset(w.pos, 0, counts.pairs);
		w.pos += counts.pairs;
	}
	put_f32_array(&w, model->log_prior, counts.pairs);
	put_f32_array(&w, model->feature_mean, counts.features);
	put_f32_array(&w, model->feature_scale, counts.features);
	for (i = 0; i < counts.targets; i++)
		put_f64(&w, model->target_mean[i]);
	for (i = 0; i < counts.targets; i++)
		put_f64(&w, model->target_scale[i]);

	/* training statistics */
	put_f64(&w, model->final_loss);
	put_u64(&w, (uint64_t) model->rows_used);
	put_u64(&w, (uint64_t) model->rows_skipped);
	put_f64(&w, model->train_seconds);

	put_keys(&w, &model->labels);
	put_keys(&w, &model->tasks);

	put_u8(&w, model->info_json ? 1 : 0);
	put_u32(&w, (uint32_t) info_len);
	put_bytes(&w, model->info_json, info_len);

	/* format version 2 */
	put_u8(&w, model->task_relation ? 1 : 0);
	if (model->task_relation)
		put_f32_array(&w, model->task_relation, relation_count(cfg));
	put_u32(&w, model->epoch_loss ? (uint32_t) cfg->epochs : 0);
	if (model->epoch_loss)
	{
		for (i = 0; i < (size_t) cfg->epochs; i++)
			put_f64(&w, model->epoch_loss[i]);
	}

	/* format version 6 */
	put_u8(&w, (uint8_t) cfg->weight_decay_scale);

	/* checksum of the body, at offset 8 */
	w.pos = buf + 8;
	put_u64(&w, hgnn_checksum(buf + HGNN_HEADER_SIZE, body_len));
}

/* ---------------------------------------------------------------- */
/* Reading																	*/
/* ---------------------------------------------------------------- */

typedef struct Reader
{
	uint32_t	version;		/* format version from the header */
	const uint8_t *pos;
	size_t		left;
	int			failed;
	char	   *errbuf;
	size_t		errlen;
} Reader;

#if defined(__GNUC__)
static void reader_fail(Reader *r, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
#endif

static void
reader_fail(Reader *r, const char *fmt,...)
{
	va_list		args;

	if (r->failed)
		return;
	r->failed = 1;
	va_start(args, fmt);
	vsnprintf(r->errbuf, r->errlen, fmt, args);
	va_end(args);
}

/* Returns 1 when n more bytes are available, else records the failure. */
static int
reader_has(Reader *r, size_t n, const char *field)
{
	if (r->failed)
		return 0;
	if (n > r->left)
	{
		reader_fail(r, "the body ends inside field %s, which needs %zu bytes, but %zu are left",
					field, n, r->left);
		return 0;
	}
	return 1;
}

static uint32_t
get_u32_raw(const uint8_t *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) |
		((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

static uint64_t
get_u64_raw(const uint8_t *p)
{
	return (uint64_t) get_u32_raw(p) | ((uint64_t) get_u32_raw(p + 4) << 32);
}

static uint8_t
get_u8(Reader *r, const char *field)
{
	uint8_t		v;

	if (!reader_has(r, 1, field))
		return 0;
	v = r->pos[0];
	r->pos++;
	r->left--;
	return v;
}

static uint32_t
get_u32(Reader *r, const char *field)
{
	uint32_t	v;

	if (!reader_has(r, 4, field))
		return 0;
	v = get_u32_raw(r->pos);
	r->pos += 4;
	r->left -= 4;
	return v;
}

static uint64_t
get_u64(Reader *r, const char *field)
{
	uint64_t	v;

	if (!reader_has(r, 8, field))
		return 0;
	v = get_u64_raw(r->pos);
	r->pos += 8;
	r->left -= 8;
	return v;
}

static double
get_f64(Reader *r, const char *field)
{
	uint64_t	bits = get_u64(r, field);
	double		v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

/*
 * Reads count float32 values into a new buffer.  The byte count is checked
 * against the remaining input first, so the allocation never exceeds the
 * input's size.  A value that is not finite fails the read.
 */
static hgnn_real *
get_f32_array(Reader *r, size_t count, const char *field)
{
	hgnn_real  *values;
	size_t		i;

	if (r->failed)
		return NULL;
	if (count > r->left / 4)
	{
		reader_fail(r, "field %s needs %zu values, but only %zu bytes are left",
					field, count, r->left);
		return NULL;
	}
	values = hgnn_alloc_array(count, sizeof(hgnn_real));
	for (i = 0; i < count; i++)
	{
		uint32_t	bits = get_u32_raw(r->pos + 4 * i);
		float		f;

		memcpy(&f, &bits, sizeof(f));
		if (!isfinite(f))
		{
			reader_fail(r, "value %zu of field %s is not finite", i, field);
			hgnn_free(values);
			return NULL;
		}
		values[i] = (hgnn_real) f;
	}
	r->pos += 4 * count;
	r->left -= 4 * count;
	return values;
}

static int
check_range(Reader *r, const char *field, uint32_t value, uint32_t min,
			uint32_t max)
{
	if (r->failed)
		return 0;
	if (value < min || value > max)
	{
		reader_fail(r, "field %s is %u, outside the range %u to %u", field, value, min,
					max);
		return 0;
	}
	return 1;
}

static void
free_keys(HgnnKeys *keys)
{
	int			i;

	if (keys->texts)
	{
		for (i = 0; i < keys->count; i++)
			hgnn_free(keys->texts[i]);
		hgnn_free(keys->texts);
	}
	hgnn_free(keys->ints);
	keys->texts = NULL;
	keys->ints = NULL;
	keys->count = 0;
}

/* A set of key kinds, as a bit mask for get_keys. */
#define KEY_KIND_BIT(kind) (1u << (kind))

/*
 * Reads one key list whose kind must be in allowed_kinds, a mask of
 * KEY_KIND_BIT values.  The values must be strictly ascending (integers
 * numerically, strings by unsigned bytes) because prediction looks them up
 * by binary search.
 */
static void
get_keys(Reader *r, HgnnKeys *keys, int expected_count,
		 unsigned int allowed_kinds, const char *field)
{
	uint32_t	kind = get_u32(r, field);
	uint32_t	count = get_u32(r, field);
	uint32_t	i;

	if (r->failed)
		return;
	if (kind > HGNN_KEY_REAL || (allowed_kinds & KEY_KIND_BIT(kind)) == 0)
	{
		reader_fail(r, "field %s has invalid key kind %u", field, kind);
		return;
	}
	if (count != (uint32_t) expected_count)
	{
		reader_fail(r, "field %s has %u values, but the config states %d", field,
					count, expected_count);
		return;
	}
	keys->kind = (HgnnKeyKind) kind;

	if (kind != HGNN_KEY_TEXT)
	{
		if (count > r->left / 8)
		{
			reader_fail(r, "field %s needs %u values, but only %zu bytes are left",
						field, count, r->left);
			return;
		}
		keys->ints = hgnn_alloc_array(count, sizeof(int64_t));
		keys->count = (int) count;
		for (i = 0; i < count; i++)
		{
			int64_t		v = (int64_t) get_u64(r, field);

			if (kind == HGNN_KEY_BOOL && v != 0 && v != 1)
			{
				reader_fail(r, "field %s has the boolean value %lld, not 0 or 1", field,
							(long long) v);
				return;
			}
			if (i > 0 && v <= keys->ints[i - 1])
			{
				reader_fail(r, "field %s is not strictly ascending at value %u",
							field, i);
				return;
			}
			keys->ints[i] = v;
		}
		return;
	}

	/* every string takes at least its 4-byte length */
	if (count > r->left / 4)
	{
		reader_fail(r, "field %s needs %u strings, but only %zu bytes are left",
					field, count, r->left);
		return;
	}
	keys->texts = hgnn_alloc_array(count, sizeof(char *));
	keys->count = (int) count;
	for (i = 0; i < count; i++)
	{
		uint32_t	len = get_u32(r, field);

		if (r->failed)
			return;
		if (len > HGNN_MAX_KEY_BYTES)
		{
			reader_fail(r, "string %u of field %s is %u bytes, over the limit of %d",
						i, field, len, HGNN_MAX_KEY_BYTES);
			return;
		}
		if (!reader_has(r, len, field))
			return;
		if (memchr(r->pos, '\0', len) != NULL)
		{
			reader_fail(r, "string %u of field %s contains a zero byte", i,
						field);
			return;
		}
		keys->texts[i] = hgnn_alloc(len + 1);
		memcpy(keys->texts[i], r->pos, len);
		r->pos += len;
		r->left -= len;
		if (i > 0 && strcmp(keys->texts[i - 1], keys->texts[i]) >= 0)
		{
			reader_fail(r, "field %s is not strictly ascending at value %u",
						field, i);
			return;
		}
	}
}

static void
free_partial_model(HgnnModel *model)
{
	hgnn_free(model->params);
	hgnn_free(model->task_emb);
	hgnn_free(model->class_emb);
	hgnn_free(model->present);
	hgnn_free(model->log_prior);
	hgnn_free(model->feature_mean);
	hgnn_free(model->feature_scale);
	hgnn_free(model->target_mean);
	hgnn_free(model->target_scale);
	hgnn_free(model->info_json);
	hgnn_free(model->task_relation);
	hgnn_free(model->epoch_loss);
	free_keys(&model->labels);
	free_keys(&model->tasks);
	memset(model, 0, sizeof(*model));
}

static void
get_config(Reader *r, HgnnConfig *cfg)
{
	uint32_t	v;

	/* regression models exist from format version 2 on */
	v = get_u32(r, "kind");
	if (!check_range(r, "kind", v, HGNN_KIND_CLASSIFIER,
					 r->version >= 2 ? HGNN_KIND_REGRESSION :
					 HGNN_KIND_CLASSIFIER))
		return;
	cfg->kind = (HgnnKind) v;
	v = get_u32(r, "activation");
	if (!check_range(r, "activation", v, HGNN_ACT_TANH,
					 r->version >= 5 ? HGNN_ACT_LAST : HGNN_ACT_TANH))
		return;
	cfg->activation = (HgnnActivation) v;

#define GET_DIM(field, min, max) \
	do { \
		v = get_u32(r, #field); \
		if (!check_range(r, #field, v, (min), (max))) \
			return; \
		cfg->field = (int) v; \
	} while (0)

	GET_DIM(n_features, 1, HGNN_MAX_FEATURES);
	GET_DIM(n_tasks, 1, HGNN_MAX_TASKS);
	if (cfg->kind == HGNN_KIND_REGRESSION)
		GET_DIM(n_classes, 1, 1);
	else
		GET_DIM(n_classes, 2, HGNN_MAX_CLASSES);
	GET_DIM(hidden, 1, HGNN_MAX_HIDDEN);
	GET_DIM(gat_hidden, 1, HGNN_MAX_GAT_HIDDEN);
	GET_DIM(task_embedding, 1, HGNN_MAX_EMBEDDING);
	GET_DIM(class_embedding, 1, HGNN_MAX_EMBEDDING);
	GET_DIM(epochs, 1, HGNN_MAX_EPOCHS);
	GET_DIM(batch_per_group, 1, HGNN_MAX_BATCH_PER_GROUP);
#undef GET_DIM

	if ((size_t) cfg->n_tasks * (size_t) cfg->n_classes > HGNN_MAX_CLASS_NODES)
	{
		reader_fail(r, "n_tasks %d times n_classes %d exceeds the limit of %d",
					cfg->n_tasks, cfg->n_classes, HGNN_MAX_CLASS_NODES);
		return;
	}

	cfg->learning_rate = get_f64(r, "learning_rate");
	cfg->weight_decay = get_f64(r, "weight_decay");
	cfg->sigma = get_f64(r, "sigma");
	cfg->clip_norm = get_f64(r, "clip_norm");
	cfg->seed = get_u64(r, "seed");
	if (r->failed)
		return;
	if (!isfinite(cfg->learning_rate) || !isfinite(cfg->weight_decay) ||
		!isfinite(cfg->sigma) || !isfinite(cfg->clip_norm))
	{
		reader_fail(r, "learning_rate, weight_decay, sigma or clip_norm is not finite");
		return;
	}

	v = get_u8(r, "standardize");
	if (!check_range(r, "standardize", v, 0, 1))
		return;
	cfg->standardize = (int) v;
	v = get_u8(r, "augment");
	if (!check_range(r, "augment", v, 0, 1))
		return;
	cfg->augment = (int) v;
	v = get_u8(r, "prior_correction");
	if (!check_range(r, "prior_correction", v, 0, 1))
		return;
	cfg->prior_correction = (int) v;
	if (r->version < 4)
	{
		v = get_u8(r, "padding");
		check_range(r, "padding", v, 0, 0);
		cfg->lr_schedule = HGNN_SCHEDULE_INVERSE;
		return;
	}
	v = get_u8(r, "lr_schedule");
	if (!check_range(r, "lr_schedule", v, 0, HGNN_SCHEDULE_LAST))
		return;
	cfg->lr_schedule = (HgnnSchedule) v;
}

/*
 * Reads the base block of format version 3, or sets DMTL and the default
 * trace_norm and ranks for an older version.  Runs after get_config because
 * it checks that STL is stored without augmentation.
 */
static void
get_base(Reader *r, HgnnConfig *cfg)
{
	HgnnConfig	defaults;
	uint32_t	v;

	if (r->version < 3)
	{
		hgnn_config_defaults(&defaults, cfg->kind);
		cfg->base_model = HGNN_BASE_DMTL;
		cfg->trace_norm = defaults.trace_norm;
		cfg->rank = defaults.rank;
		cfg->task_rank = defaults.task_rank;
		cfg->class_rank = defaults.class_rank;
		return;
	}

	v = get_u32(r, "base_model");
	if (!check_range(r, "base_model", v, HGNN_BASE_DMTL, HGNN_BASE_LAST))
		return;
	cfg->base_model = (HgnnBaseModel) v;
	cfg->trace_norm = get_f64(r, "trace_norm");
	if (r->failed)
		return;
	if (!isfinite(cfg->trace_norm) || cfg->trace_norm < 0)
	{
		reader_fail(r, "trace_norm %g is negative or not finite",
					cfg->trace_norm);
		return;
	}
	v = get_u32(r, "rank");
	if (!check_range(r, "rank", v, 1, HGNN_MAX_RANK))
		return;
	cfg->rank = (int) v;
	v = get_u32(r, "task_rank");
	if (!check_range(r, "task_rank", v, 0, HGNN_MAX_RANK))
		return;
	cfg->task_rank = (int) v;
	v = get_u32(r, "class_rank");
	if (!check_range(r, "class_rank", v, 0, HGNN_MAX_RANK))
		return;
	cfg->class_rank = (int) v;
	if (cfg->base_model == HGNN_BASE_STL && cfg->augment)
		reader_fail(r, "base_model stl is stored with augment 1");
}

/*
 * Reads the task relation and the training curve.  Every relation value is
 * an attention weight, so it must lie in [0, 1].
 */
static void
get_version2_fields(Reader *r, HgnnModel *model)
{
	const HgnnConfig *cfg = &model->cfg;
	uint32_t	relation_present;
	uint32_t	curve_count;
	size_t		count = relation_count(cfg);
	size_t		i;

	relation_present = get_u8(r, "relation_present");
	if (!check_range(r, "relation_present", relation_present, 0, 1))
		return;
	if (relation_present && !cfg->augment)
	{
		reader_fail(r, "task_relation is present in a model without augmentation");
		return;
	}
	if (relation_present)
	{
		model->task_relation = get_f32_array(r, count, "task_relation");
		if (r->failed)
			return;
		for (i = 0; i < count; i++)
		{
			if (model->task_relation[i] < 0 || model->task_relation[i] > 1)
			{
				reader_fail(r, "value %zu of field task_relation is outside [0, 1]",
							i);
				return;
			}
		}
	}

	curve_count = get_u32(r, "curve_count");
	if (r->failed)
		return;
	if (curve_count != 0 && curve_count != (uint32_t) cfg->epochs)
	{
		reader_fail(r, "field curve_count is %u, but the config states %d epochs",
					curve_count, cfg->epochs);
		return;
	}
	if (curve_count > r->left / 8)
	{
		reader_fail(r, "field epoch_loss needs %u values, but only %zu bytes are left",
					curve_count, r->left);
		return;
	}
	if (curve_count > 0)
	{
		model->epoch_loss = hgnn_alloc_array(curve_count, sizeof(double));
		for (i = 0; i < curve_count; i++)
			model->epoch_loss[i] = get_f64(r, "epoch_loss");
	}
}

/*
 * Reads the target mean and scale of each of the count tasks of a
 * regression model.  Every mean must be finite and every scale positive
 * and finite, because prediction multiplies by the scale.
 */
static void
get_targets(Reader *r, HgnnModel *model, size_t count)
{
	size_t		i;

	if (count > r->left / 16)
	{
		reader_fail(r, "fields target_mean and target_scale need %zu values each, but only %zu bytes are left",
					count, r->left);
		return;
	}
	model->target_mean = hgnn_alloc_array(count, sizeof(double));
	model->target_scale = hgnn_alloc_array(count, sizeof(double));
	for (i = 0; i < count; i++)
		model->target_mean[i] = get_f64(r, "target_mean");
	for (i = 0; i < count; i++)
		model->target_scale[i] = get_f64(r, "target_scale");
	for (i = 0; i < count; i++)
	{
		if (!isfinite(model->target_mean[i]) ||
			!(model->target_scale[i] > 0.0) ||
			!isfinite(model->target_scale[i]))
		{
			reader_fail(r, "target_mean %g or target_scale %g of task %zu is not finite, or the scale is not positive",
						model->target_mean[i], model->target_scale[i], i);
			return;
		}
	}
}

static void
get_body(Reader *r, HgnnModel *model)
{
	HgnnConfig *cfg = &model->cfg;
	ArrayCounts counts;
	uint64_t	total;
	uint32_t	width;
	size_t		i;
	uint32_t	info_present;
	uint32_t	info_len;

	get_config(r, cfg);
	get_base(r, cfg);
	if (r->failed)
		return;

	/*
	 * The layout is a function of the config.  The stored copy only guards
	 * against a build that would lay out the same config differently.
	 */
	total = get_u64(r, "layout_total");
	width = get_u32(r, "augmented_width");
	if (r->failed)
		return;
	hgnn_layout_init(cfg, &model->layout);
	if (model->layout.total > HGNN_MAX_PARAMETERS)
	{
		reader_fail(r, "the config implies %zu parameters, over the limit of %d",
					model->layout.total, HGNN_MAX_PARAMETERS);
		return;
	}
	if (total != (uint64_t) model->layout.total ||
		width != (uint32_t) model->layout.augmented_width)
	{
		reader_fail(r, "stored layout (%llu parameters, width %u) does not match the config (%zu parameters, width %d)",
					(unsigned long long) total, width, model->layout.total,
					model->layout.augmented_width);
		return;
	}

	array_counts(cfg, &counts);
	model->params = get_f32_array(r, model->layout.total, "params");
	model->task_emb = get_f32_array(r, counts.task_emb, "task_emb");
	if (counts.class_emb > 0)
		model->class_emb = get_f32_array(r, counts.class_emb, "class_emb");
	if (counts.pairs > 0)
	{
		if (!reader_has(r, counts.pairs, "present"))
			return;
		model->present = hgnn_alloc(counts.pairs);
		for (i = 0; i < counts.pairs; i++)
		{
			if (r->pos[i] > 1)
			{
				reader_fail(r, "present flag %zu is %u, not 0 or 1", i,
							r->pos[i]);
				return;
			}
			model->present[i] = r->pos[i];
		}
		r->pos += counts.pairs;
		r->left -= counts.pairs;
		model->log_prior = get_f32_array(r, counts.pairs, "log_prior");
	}
	model->feature_mean = get_f32_array(r, counts.features, "feature_mean");
	model->feature_scale = get_f32_array(r, counts.features, "feature_scale");
	if (r->failed)
		return;
	for (i = 0; i < counts.features; i++)
	{
		if (model->feature_scale[i] == 0)
		{
			reader_fail(r, "feature_scale %zu is zero", i);
			return;
		}
	}
	if (counts.targets > 0)
		get_targets(r, model, counts.targets);
	if (r->failed)
		return;

	model->final_loss = get_f64(r, "final_loss");
	model->rows_used = (int64_t) get_u64(r, "rows_used");
	model->rows_skipped = (int64_t) get_u64(r, "rows_skipped");
	model->train_seconds = get_f64(r, "train_seconds");
	if (r->failed)
		return;
	if (model->rows_used < 0 || model->rows_skipped < 0)
	{
		reader_fail(r, "rows_used %lld or rows_skipped %lld is negative",
					(long long) model->rows_used,
					(long long) model->rows_skipped);
		return;
	}

	if (cfg->kind == HGNN_KIND_REGRESSION)
		get_keys(r, &model->labels, 0,
				 KEY_KIND_BIT(HGNN_KEY_INT) | KEY_KIND_BIT(HGNN_KEY_REAL),
				 "labels");
	else
		get_keys(r, &model->labels, cfg->n_classes,
				 KEY_KIND_BIT(HGNN_KEY_INT) | KEY_KIND_BIT(HGNN_KEY_BOOL) |
				 KEY_KIND_BIT(HGNN_KEY_TEXT), "labels");
	get_keys(r, &model->tasks, cfg->n_tasks,
			 KEY_KIND_BIT(HGNN_KEY_INT) | KEY_KIND_BIT(HGNN_KEY_TEXT), "tasks");

	info_present = get_u8(r, "info_present");
	info_len = get_u32(r, "info_length");
	if (!check_range(r, "info_present", info_present, 0, 1))
		return;
	if (!info_present && info_len != 0)
	{
		reader_fail(r, "info_length is %u for an absent info_json", info_len);
		return;
	}
	if (info_present)
	{
		if (!reader_has(r, info_len, "info_json"))
			return;
		if (memchr(r->pos, '\0', info_len) != NULL)
		{
			reader_fail(r, "info_json contains a zero byte");
			return;
		}
		model->info_json = hgnn_alloc((size_t) info_len + 1);
		memcpy(model->info_json, r->pos, info_len);
		r->pos += info_len;
		r->left -= info_len;
	}

	if (r->version >= 2)
		get_version2_fields(r, model);
	model->cfg.weight_decay_scale = HGNN_DECAY_NONE;
	if (r->version >= 6 && !r->failed)
	{
		uint32_t	v = get_u8(r, "weight_decay_scale");

		if (check_range(r, "weight_decay_scale", v, 0, HGNN_DECAY_LAST))
			model->cfg.weight_decay_scale = (HgnnDecayScale) v;
	}

	if (!r->failed && r->left != 0)
		reader_fail(r, "%zu bytes follow the last field", r->left);
}

HgnnDecodeStatus
hgnn_decode(const uint8_t *buf, size_t len, HgnnModel *model,
			uint32_t *version_out, char *errbuf, size_t errlen)
{
	uint32_t	version;
	uint64_t	stored_sum;
	uint64_t	body_len;
	Reader		r;

	memset(model, 0, sizeof(*model));
	if (errlen > 0)
		errbuf[0] = '\0';
	if (version_out)
		*version_out = 0;

	if (len == 0 || memcmp(buf, hgnn_magic, len < 4 ? len : 4) != 0)
	{
		snprintf(errbuf, errlen, "the first bytes are not the magic \"HGNN\"");
		return HGNN_DECODE_BAD_MAGIC;
	}
	if (len < HGNN_HEADER_SIZE)
	{
		snprintf(errbuf, errlen, "%zu bytes are shorter than the %d-byte header",
				 len, HGNN_HEADER_SIZE);
		return HGNN_DECODE_TRUNCATED;
	}

	version = get_u32_raw(buf + 4);
	if (version_out)
		*version_out = version;
	if (version > HGNN_FORMAT_VERSION)
	{
		snprintf(errbuf, errlen, "format version %u is newer than version %d",
				 version, HGNN_FORMAT_VERSION);
		return HGNN_DECODE_NEWER_VERSION;
	}
	if (version == 0)
	{
		snprintf(errbuf, errlen, "format version is 0");
		return HGNN_DECODE_CORRUPT;
	}

	stored_sum = get_u64_raw(buf + 8);
	body_len = get_u64_raw(buf + 16);
	if (body_len > len - HGNN_HEADER_SIZE)
	{
		snprintf(errbuf, errlen, "the header states a %llu-byte body, but %zu bytes follow it",
				 (unsigned long long) body_len, len - HGNN_HEADER_SIZE);
		return HGNN_DECODE_TRUNCATED;
	}
	if (body_len < len - HGNN_HEADER_SIZE)
	{
		snprintf(errbuf, errlen, "the header states a %llu-byte body, but %zu bytes follow it",
				 (unsigned long long) body_len, len - HGNN_HEADER_SIZE);
		return HGNN_DECODE_CORRUPT;
	}
	if (hgnn_checksum(buf + HGNN_HEADER_SIZE, (size_t) body_len) != stored_sum)
	{
		snprintf(errbuf, errlen, "the checksum in the header does not match the body");
		return HGNN_DECODE_BAD_CHECKSUM;
	}

	r.version = version;
	r.pos = buf + HGNN_HEADER_SIZE;
	r.left = (size_t) body_len;
	r.failed = 0;
	r.errbuf = errbuf;
	r.errlen = errlen;
	get_body(&r, model);
	if (r.failed)
	{
		free_partial_model(model);
		return HGNN_DECODE_CORRUPT;
	}
	return HGNN_DECODE_OK;
}
