/*
 * options.c
 *		The jsonb options of hgnn_fit and hgnn_train.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "postgres.h"

#include <errno.h>
#include <float.h>
#include <math.h>

#include "common/shortest_dec.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/numeric.h"

#include "base_model.h"
#include "hgnn_limits.h"
#include "optim.h"
#include "options.h"

typedef enum OptionType
{
	OPTION_INT,					/* int field, inclusive range */
	OPTION_REAL,				/* double field, see min_exclusive */
	OPTION_BOOL,				/* int field, 0 or 1 */
	OPTION_SEED,				/* uint64 field, 0 to INT64_MAX */
	OPTION_KIND,				/* int field: an HgnnKind, by name */
	OPTION_BASE_MODEL,			/* HgnnBaseModel field, by name */
	OPTION_SCHEDULE,			/* HgnnSchedule field, by name */
	OPTION_ACTIVATION,			/* HgnnActivation field, by name */
	OPTION_DECAY_SCALE			/* HgnnDecayScale field, by name */
} OptionType;

typedef struct OptionDef
{
	const char *name;
	OptionType	type;
	size_t		offset;			/* of the field in HgnnOptions */
	double		min;
	double		max;
	bool		min_exclusive;
	bool		null_allowed;	/* JSON null sets the field to 0 */
} OptionDef;

#define CFG(field) offsetof(HgnnOptions, cfg.field)

/* The order here is the order of hgnn_options_to_json and of the hint. */
static const OptionDef option_defs[] = {
	{"kind", OPTION_KIND, offsetof(HgnnOptions, kind), 0, 0, false, true},
	{"hidden", OPTION_INT, CFG(hidden), 1, HGNN_MAX_HIDDEN},
	{"gat_hidden", OPTION_INT, CFG(gat_hidden), 1, HGNN_MAX_GAT_HIDDEN},
	{"task_embedding", OPTION_INT, CFG(task_embedding), 1, HGNN_MAX_EMBEDDING},
	{"class_embedding", OPTION_INT, CFG(class_embedding), 1,
	HGNN_MAX_EMBEDDING},
	{"activation", OPTION_ACTIVATION, CFG(activation)},
	{"epochs", OPTION_INT, CFG(epochs), 1, HGNN_MAX_EPOCHS},
	{"batch_per_group", OPTION_INT, CFG(batch_per_group), 1,
	HGNN_MAX_BATCH_PER_GROUP},
	{"learning_rate", OPTION_REAL, CFG(learning_rate), 0, 10, true},
	{"lr_schedule", OPTION_SCHEDULE, CFG(lr_schedule)},
	{"weight_decay", OPTION_REAL, CFG(weight_decay), 0, 1000},
	{"weight_decay_scale", OPTION_DECAY_SCALE, CFG(weight_decay_scale)},
	/* below 1e-6 exp(-d/sigma) and its gradient underflow for every pair */
	{"sigma", OPTION_REAL, CFG(sigma), 1e-6, 1e30, false, true},
	{"clip_norm", OPTION_REAL, CFG(clip_norm), 0, 1e30},
	{"seed", OPTION_SEED, CFG(seed), 0, 0},
	{"standardize", OPTION_BOOL, CFG(standardize)},
	{"augment", OPTION_BOOL, CFG(augment)},
	{"prior_correction", OPTION_BOOL, CFG(prior_correction)},
	{"base_model", OPTION_BASE_MODEL, CFG(base_model)},
	{"trace_norm", OPTION_REAL, CFG(trace_norm), 0, 1000},
	{"rank", OPTION_INT, CFG(rank), 1, HGNN_MAX_RANK},
	/* 0 resolves to min(rank, tasks) and min(rank, classes) */
	{"task_rank", OPTION_INT, CFG(task_rank), 0, HGNN_MAX_RANK},
	{"class_rank", OPTION_INT, CFG(class_rank), 0, HGNN_MAX_RANK},
	{"verbose", OPTION_BOOL, offsetof(HgnnOptions, verbose)},
	{"skip_nulls", OPTION_BOOL, offsetof(HgnnOptions, skip_nulls)},
};

#define N_OPTIONS lengthof(option_defs)

StaticAssertDecl(lengthof(option_defs) <= 32,
				 "HgnnOptions.given has a bit for every option");

static char *
option_names(void)
{
	StringInfoData buf;
	size_t		i;

	initStringInfo(&buf);
	for (i = 0; i < N_OPTIONS; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "",
						 option_defs[i].name);
	return buf.data;
}

/* Names of the model kinds in the "kind" option, indexed by HgnnKind. */
static const char *const kind_names[] = {
	[HGNN_KIND_CLASSIFIER] = "classification",
	[HGNN_KIND_REGRESSION] = "regression",
};

/*
 * Returns a number for error messages, in scientific notation when its
 * digits would fill a line.
 */
static char *
number_text(Numeric num)
{
	char	   *text = numeric_normalize(num);

	if (strlen(text) > 24)
		text = numeric_out_sci(num, 3);
	return text;
}

/* maximum bytes of a value that an error message quotes */
#define VALUE_TEXT_MAX 80

/*
 * Returns a JSON value as the user wrote it, for error messages.  A text
 * longer than VALUE_TEXT_MAX bytes is cut at a character boundary and ends
 * in "...", so that a megabyte of garbage does not fill the server log.
 */
static char *
json_value_text(JsonbValue *v)
{
	StringInfoData buf;
	char	   *text;
	int			len;

	switch (v->type)
	{
		case jbvNull:
			return pstrdup("null");
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvNumeric:
			return number_text(v->val.numeric);
		case jbvString:
			initStringInfo(&buf);
			escape_json(&buf, pnstrdup(v->val.string.val,
									   Min(v->val.string.len,
										   VALUE_TEXT_MAX + 1)));
			text = buf.data;
			break;
		case jbvBinary:
			text = JsonbToCString(NULL, v->val.binary.data,
								  v->val.binary.len);
			break;
		default:
			return pstrdup("?");
	}
	len = strlen(text);
	if (len <= VALUE_TEXT_MAX)
		return text;
	len = pg_mbcliplen(text, len, VALUE_TEXT_MAX - 3);
	return psprintf("%.*s...", len, text);
}

static const char *
json_type_name(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvBool:
			return "a boolean";
		case jbvNumeric:
			return "a number";
		case jbvString:
			return "a string";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ?
				"an array" : "an object";
		default:
			return "an unexpected JSON value";
	}
}

static void
report_wrong_type(const OptionDef *def, JsonbValue *v, const char *expected)
{
	if (v->type == jbvNull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be %s, not null",
						def->name, expected)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option \"%s\" must be %s, not %s %s",
					def->name, expected, json_type_name(v),
					json_value_text(v))));
}

/*
 * Parses an integer option.  The number must be integral ("10" and "10.0"
 * both are) and inside the range, else the error names the range.
 */
static int64
parse_integer(const OptionDef *def, JsonbValue *v, int64 min, int64 max,
			  const char *range)
{
	char	   *text;
	char	   *end;
	long long	value;

	if (v->type != jbvNumeric)
		report_wrong_type(def, v, psprintf("an integer %s", range));

	text = numeric_normalize(v->val.numeric);
	errno = 0;
	value = strtoll(text, &end, 10);
	if (*end != '\0' || errno == ERANGE || value < min || value > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be an integer %s, not %s",
						def->name, range, number_text(v->val.numeric))));
	return (int64) value;
}

static double
parse_real(const OptionDef *def, JsonbValue *v)
{
	char	   *text;
	double		value;
	char	   *range;

	if (def->min_exclusive)
		range = psprintf("greater than %g and at most %g", def->min,
						 def->max);
	else
		range = psprintf("between %g and %g", def->min, def->max);

	if (v->type != jbvNumeric)
		report_wrong_type(def, v, psprintf("a number %s", range));

	text = numeric_normalize(v->val.numeric);
	value = strtod(text, NULL);
	if (!isfinite(value) || value > def->max ||
		(def->min_exclusive ? value <= def->min : value < def->min))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be a number %s, not %s",
						def->name, range, number_text(v->val.numeric))));
	return value;
}

static int
parse_kind(const OptionDef *def, JsonbValue *v)
{
	const char *expected = "\"classification\" or \"regression\"";
	int			kind;

	if (v->type != jbvString)
		report_wrong_type(def, v, expected);
	for (kind = HGNN_KIND_CLASSIFIER; kind <= HGNN_KIND_REGRESSION; kind++)
	{
		if (strlen(kind_names[kind]) == (size_t) v->val.string.len &&
			memcmp(kind_names[kind], v->val.string.val,
				   v->val.string.len) == 0)
			return kind;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option \"%s\" must be %s, not %s", def->name, expected,
					json_value_text(v))));
	return 0;					/* not reached */
}

typedef const char *(*NameFn) (int value);

/*
 * Returns the names of values first to last as "a", "b" or "c", for
 * messages.
 */
static char *
value_names(NameFn name, int first, int last)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = first; i <= last; i++)
	{
		if (i > first)
			appendStringInfoString(&buf, i < last ? ", " : " or ");
		escape_json(&buf, name(i));
	}
	return buf.data;
}

/*
 * Parses an option whose value is one of the names of values first to
 * last.
 */
static int
parse_name(const OptionDef *def, JsonbValue *v, NameFn name, int first,
		   int last)
{
	int			i;

	if (v->type != jbvString)
		report_wrong_type(def, v, value_names(name, first, last));
	for (i = first; i <= last; i++)
	{
		const char *candidate = name(i);

		if (strlen(candidate) == (size_t) v->val.string.len &&
			memcmp(candidate, v->val.string.val, v->val.string.len) == 0)
			return i;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option \"%s\" must be %s, not %s", def->name,
					value_names(name, first, last), json_value_text(v))));
	return 0;					/* not reached */
}

static void
set_option(HgnnOptions *opts, const OptionDef *def, JsonbValue *v)
{
	char	   *field = (char *) opts + def->offset;

	if (v->type == jbvNull && def->null_allowed)
	{
		if (def->type == OPTION_KIND)
			*(int *) field = 0;
		else
			*(double *) field = 0;
		return;
	}

	switch (def->type)
	{
		case OPTION_INT:
			*(int *) field = (int) parse_integer(def, v, (int64) def->min,
												 (int64) def->max,
												 psprintf("between %d and %d",
														  (int) def->min,
														  (int) def->max));
			break;
		case OPTION_REAL:
			*(double *) field = parse_real(def, v);
			break;
		case OPTION_SEED:
			*(uint64 *) field = (uint64) parse_integer(def, v, 0, PG_INT64_MAX,
													   "between 0 and 9223372036854775807");
			break;
		case OPTION_BOOL:
			if (v->type != jbvBool)
				report_wrong_type(def, v, "true or false");
			*(int *) field = v->val.boolean ? 1 : 0;
			break;
		case OPTION_KIND:
			*(int *) field = parse_kind(def, v);
			break;
		case OPTION_BASE_MODEL:
			*(HgnnBaseModel *) field = (HgnnBaseModel)
				parse_name(def, v, hgnn_base_model_name, 0, HGNN_BASE_LAST);
			break;
		case OPTION_SCHEDULE:
			*(HgnnSchedule *) field = (HgnnSchedule)
				parse_name(def, v, hgnn_schedule_name, 0, HGNN_SCHEDULE_LAST);
			break;
		case OPTION_ACTIVATION:
			*(HgnnActivation *) field = (HgnnActivation)
				parse_name(def, v, hgnn_activation_name, HGNN_ACT_TANH,
						   HGNN_ACT_LAST);
			break;
		case OPTION_DECAY_SCALE:
			*(HgnnDecayScale *) field = (HgnnDecayScale)
				parse_name(def, v, hgnn_decay_scale_name, 0, HGNN_DECAY_LAST);
			break;
	}
}

void
hgnn_options_parse(Jsonb *options, HgnnOptions *opts)
{
	JsonbIterator *it;
	JsonbIteratorToken token;
	JsonbValue	v;

	memset(opts, 0, sizeof(*opts));
	hgnn_config_defaults(&opts->cfg, HGNN_KIND_CLASSIFIER);
	opts->kind = 0;
	opts->verbose = 0;
	opts->skip_nulls = 0;

	if (options == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hgnn options must be a JSON object, not %s",
						JsonbToCString(NULL, &options->root,
									   VARSIZE(options))),
				 errhint("Write the options as in '{\"epochs\": 50, \"seed\": 7}'.")));

	it = JsonbIteratorInit(&options->root);
	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *key;
		size_t		i;

		if (token != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		for (i = 0; i < N_OPTIONS; i++)
		{
			if (strcmp(key, option_defs[i].name) == 0)
				break;
		}
		if (i == N_OPTIONS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown hgnn option \"%s\"", key),
					 errhint("Valid options are: %s.", option_names())));

		token = JsonbIteratorNext(&it, &v, true);
		Assert(token == WJB_VALUE);
		set_option(opts, &option_defs[i], &v);
		opts->given |= (uint32) 1 << i;
	}

	/* training raises this too, but here it comes before any row is read */
	if (opts->cfg.base_model == HGNN_BASE_STL && opts->cfg.augment)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"base_model\" \"stl\" requires option \"augment\" false"),
				 errdetail("STL trains one network per task and shares no task or class graph between them."),
				 errhint("Add \"augment\": false to the options.")));
}

/* Returns the size of the field of an option of type type. */
static size_t
option_field_size(OptionType type)
{
	switch (type)
	{
		case OPTION_REAL:
			return sizeof(double);
		case OPTION_SEED:
			return sizeof(uint64);
		case OPTION_BASE_MODEL:
			return sizeof(HgnnBaseModel);
		case OPTION_SCHEDULE:
			return sizeof(HgnnSchedule);
		case OPTION_ACTIVATION:
			return sizeof(HgnnActivation);
		case OPTION_DECAY_SCALE:
			return sizeof(HgnnDecayScale);
		default:
			return sizeof(int);
	}
}

void
hgnn_options_set_kind(HgnnOptions *opts, HgnnKind kind)
{
	HgnnOptions defaults;
	size_t		i;

	memset(&defaults, 0, sizeof(defaults));
	hgnn_config_defaults(&defaults.cfg, kind);
	for (i = 0; i < N_OPTIONS; i++)
	{
		const OptionDef *def = &option_defs[i];

		/*
		 * kind, verbose and skip_nulls lie outside cfg.  For a field
		 * before cfg the unsigned difference wraps, so it is skipped too.
		 */
		if ((opts->given & ((uint32) 1 << i)) != 0 ||
			def->offset - offsetof(HgnnOptions, cfg) >= sizeof(HgnnConfig))
			continue;
		memcpy((char *) opts + def->offset, (char *) &defaults + def->offset,
			   option_field_size(def->type));
	}
	opts->kind = kind;
	opts->cfg.kind = kind;
}

HgnnKind
hgnn_options_model_kind(const HgnnOptions *opts, HgnnKeyKind label_kind)
{
	switch (opts->kind)
	{
		case 0:
			return label_kind == HGNN_KEY_REAL ?
				HGNN_KIND_REGRESSION : HGNN_KIND_CLASSIFIER;
		case HGNN_KIND_CLASSIFIER:
			return label_kind == HGNN_KEY_REAL ? 0 : HGNN_KIND_CLASSIFIER;
		case HGNN_KIND_REGRESSION:
			return label_kind == HGNN_KEY_REAL || label_kind == HGNN_KEY_INT ?
				HGNN_KIND_REGRESSION : 0;
	}
	return 0;
}

void
hgnn_append_json_double(StringInfo buf, double value)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (!isfinite(value))
	{
		appendStringInfoString(buf, "null");
		return;
	}
	double_to_shortest_decimal_buf(value, digits);
	appendStringInfoString(buf, digits);
}

char *
hgnn_options_to_json(const HgnnOptions *opts)
{
	StringInfoData buf;
	size_t		i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < N_OPTIONS; i++)
	{
		const OptionDef *def = &option_defs[i];
		const char *field = (const char *) opts + def->offset;

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, def->name);
		appendStringInfoString(&buf, ": ");
		switch (def->type)
		{
			case OPTION_INT:
				appendStringInfo(&buf, "%d", *(const int *) field);
				break;
			case OPTION_REAL:
				if (def->null_allowed && *(const double *) field <= 0)
					appendStringInfoString(&buf, "null");
				else
					hgnn_append_json_double(&buf, *(const double *) field);
				break;
			case OPTION_SEED:
				appendStringInfo(&buf, UINT64_FORMAT,
								 *(const uint64 *) field);
				break;
			case OPTION_BOOL:
				appendStringInfoString(&buf, *(const int *) field ?
									   "true" : "false");
				break;
			case OPTION_KIND:
				{
					int			kind = *(const int *) field;

					if (kind == HGNN_KIND_CLASSIFIER ||
						kind == HGNN_KIND_REGRESSION)
						escape_json(&buf, kind_names[kind]);
					else
						appendStringInfoString(&buf, "null");
				}
				break;
			case OPTION_BASE_MODEL:
				escape_json(&buf,
							hgnn_base_model_name(*(const HgnnBaseModel *) field));
				break;
			case OPTION_SCHEDULE:
				escape_json(&buf,
							hgnn_schedule_name(*(const HgnnSchedule *) field));
				break;
			case OPTION_ACTIVATION:
				escape_json(&buf,
							hgnn_activation_name(*(const HgnnActivation *) field));
				break;
			case OPTION_DECAY_SCALE:
				escape_json(&buf,
							hgnn_decay_scale_name(*(const HgnnDecayScale *) field));
				break;
		}
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}
