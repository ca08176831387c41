/*
 * keys.c
 *		Label and task values: SQL types, interning, sorted key lists.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "postgres.h"

#include <errno.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "hgnn_limits.h"
#include "keys.h"

HgnnKeyKind
hgnn_key_kind_of_type(Oid typid, bool allow_bool, const char *what)
{
	Oid			base = getBaseType(typid);

	switch (base)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			return HGNN_KEY_INT;
		case BOOLOID:
			if (allow_bool)
				return HGNN_KEY_BOOL;
			break;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case UNKNOWNOID:
			return HGNN_KEY_TEXT;
		default:
			break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("%s of type %s is not supported", what,
					format_type_be(typid)),
			 allow_bool ?
			 errhint("Use an integer, boolean or text type for the %s, or for a regression model a real, double precision, numeric or integer type.",
					 what) :
			 errhint("Use an integer or text type for the %s.", what)));
	return HGNN_KEY_INT;		/* not reached */
}

int64
hgnn_key_int_value(Datum value, Oid typid, const char *what)
{
	switch (getBaseType(typid))
	{
		case INT2OID:
			return DatumGetInt16(value);
		case INT4OID:
			return DatumGetInt32(value);
		case INT8OID:
			return DatumGetInt64(value);
		case BOOLOID:
			return DatumGetBool(value) ? 1 : 0;
		default:
			elog(ERROR, "%s of type %s is not an integer or boolean", what,
				 format_type_be(typid));
	}
	return 0;					/* not reached */
}

const char *
hgnn_key_text_value(Datum value, Oid typid, int *len, const char *what)
{
	Oid			base = getBaseType(typid);
	const char *str;
	int			n;

	if (base == UNKNOWNOID)
	{
		/* an untyped literal arrives as a C string */
		str = DatumGetCString(value);
		n = (int) strlen(str);
	}
	else
	{
		text	   *t = DatumGetTextPP(value);

		str = VARDATA_ANY(t);
		n = VARSIZE_ANY_EXHDR(t);
		if (base == BPCHAROID)
		{
			while (n > 0 && str[n - 1] == ' ')
				n--;
		}
	}
	if (n > HGNN_MAX_KEY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s value of %d bytes exceeds the limit of %d bytes",
						what, n, HGNN_MAX_KEY_BYTES)));
	*len = n;
	return str;
}

/* ---------------------------------------------------------------- */
/* Dictionary of distinct strings											*/
/* ---------------------------------------------------------------- */

void
hgnn_dict_init(HgnnTextDict *dict, MemoryContext mcxt)
{
	dict->mcxt = mcxt;
	dict->count = 0;
	dict->capacity = 16;
	dict->strings = MemoryContextAlloc(mcxt, dict->capacity * sizeof(char *));
	dict->lengths = MemoryContextAlloc(mcxt, dict->capacity * sizeof(uint32));
	dict->nslots = 2 * dict->capacity;
	dict->slots = MemoryContextAllocZero(mcxt, dict->nslots * sizeof(int));
}

static void
dict_grow(HgnnTextDict *dict)
{
	uint32		i;

	dict->capacity *= 2;
	dict->strings = repalloc(dict->strings, dict->capacity * sizeof(char *));
	dict->lengths = repalloc(dict->lengths, dict->capacity * sizeof(uint32));
	pfree(dict->slots);
	dict->nslots = 2 * dict->capacity;
	dict->slots = MemoryContextAllocZero(dict->mcxt,
										 dict->nslots * sizeof(int));
	for (i = 0; i < (uint32) dict->count; i++)
	{
		uint32		slot;

		slot = hash_bytes((const unsigned char *) dict->strings[i],
						  dict->lengths[i]) & (dict->nslots - 1);
		while (dict->slots[slot] != 0)
			slot = (slot + 1) & (dict->nslots - 1);
		dict->slots[slot] = i + 1;
	}
}

/* Returns the id of str, adding a copy when it is new. */
int
hgnn_dict_intern(HgnnTextDict *dict, const char *str, int len)
{
	uint32		slot;
	char	   *copy;

	slot = hash_bytes((const unsigned char *) str, len) & (dict->nslots - 1);
	while (dict->slots[slot] != 0)
	{
		int			id = dict->slots[slot] - 1;

		if (dict->lengths[id] == (uint32) len &&
			memcmp(dict->strings[id], str, len) == 0)
			return id;
		slot = (slot + 1) & (dict->nslots - 1);
	}

	if (dict->count >= PG_INT32_MAX / 4)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct text values: %d", dict->count)));
	if (dict->count == dict->capacity)
	{
		dict_grow(dict);
		return hgnn_dict_intern(dict, str, len);
	}

	copy = MemoryContextAlloc(dict->mcxt, len + 1);
	memcpy(copy, str, len);
	copy[len] = '\0';
	dict->strings[dict->count] = copy;
	dict->lengths[dict->count] = len;
	dict->slots[slot] = dict->count + 1;
	return dict->count++;
}

/* ---------------------------------------------------------------- */
/* Sorted key lists															*/
/* ---------------------------------------------------------------- */

/* Per-row arrays can pass 1 GB, the limit of a plain palloc. */
static void *
huge_array(Size count, Size elem_size)
{
	return palloc_extended(Max(count, 1) * elem_size, MCXT_ALLOC_HUGE);
}

static int
compare_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* Index of v in the sorted values, or -1. */
static int
find_int(const int64 *values, int count, int64 v)
{
	int			lo = 0;
	int			hi = count - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (values[mid] == v)
			return mid;
		if (values[mid] < v)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Byte order of two strings of given lengths, as strcmp on unsigned bytes. */
static int
compare_bytes(const char *a, int alen, const char *b, int blen)
{
	int			cmp = memcmp(a, b, Min(alen, blen));

	if (cmp != 0)
		return cmp;
	return (alen > blen) - (alen < blen);
}

static int
find_text(char *const *texts, int count, const char *str, int len)
{
	int			lo = 0;
	int			hi = count - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			cmp = compare_bytes(texts[mid], strlen(texts[mid]),
										str, len);

		if (cmp == 0)
			return mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

int *
hgnn_keys_build_int(HgnnKeys *keys, HgnnKeyKind kind, const int64 *values,
					int n_rows)
{
	int64	   *sorted = huge_array(n_rows, sizeof(int64));
	int		   *index = huge_array(n_rows, sizeof(int));
	int			count = 0;
	int			i;

	memcpy(sorted, values, n_rows * sizeof(int64));
	qsort(sorted, n_rows, sizeof(int64), compare_int64);
	for (i = 0; i < n_rows; i++)
	{
		if (count == 0 || sorted[count - 1] != sorted[i])
			sorted[count++] = sorted[i];
	}

	keys->kind = kind;
	keys->count = count;
	keys->ints = sorted;
	keys->texts = NULL;

	for (i = 0; i < n_rows; i++)
		index[i] = find_int(sorted, count, values[i]);
	return index;
}

static int
compare_dict_ids(const void *a, const void *b, void *arg)
{
	const HgnnTextDict *dict = arg;
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	return compare_bytes(dict->strings[x], dict->lengths[x],
						 dict->strings[y], dict->lengths[y]);
}

int *
hgnn_keys_build_text(HgnnKeys *keys, const HgnnTextDict *dict,
					 const int64 *ids, int n_rows)
{
	int			count = dict->count;
	int		   *order = huge_array(count, sizeof(int));
	int		   *rank = huge_array(count, sizeof(int));
	int		   *index = huge_array(n_rows, sizeof(int));
	int			i;

	/*
	 * Only the ids that rows use become keys: a dictionary merged from
	 * parallel workers can hold strings of rows skipped for NULLs.
	 */
	for (i = 0; i < count; i++)
		rank[i] = -1;
	for (i = 0; i < n_rows; i++)
		rank[ids[i]] = 0;
	count = 0;
	for (i = 0; i < dict->count; i++)
	{
		if (rank[i] == 0)
			order[count++] = i;
	}
	qsort_arg(order, count, sizeof(int), compare_dict_ids, (void *) dict);

	keys->kind = HGNN_KEY_TEXT;
	keys->count = count;
	keys->ints = NULL;
	keys->texts = huge_array(count, sizeof(char *));
	for (i = 0; i < count; i++)
	{
		keys->texts[i] = pstrdup(dict->strings[order[i]]);
		rank[order[i]] = i;
	}

	for (i = 0; i < n_rows; i++)
		index[i] = rank[ids[i]];
	pfree(order);
	pfree(rank);
	return index;
}

int
hgnn_keys_lookup(const HgnnKeys *keys, Datum value, Oid typid,
				 bool allow_bool, const char *what)
{
	Oid			base = getBaseType(typid);
	HgnnKeyKind kind;

	if (base == UNKNOWNOID && keys->kind != HGNN_KEY_TEXT)
	{
		const char *str = DatumGetCString(value);

		if (keys->kind == HGNN_KEY_BOOL)
		{
			bool		b;

			if (!parse_bool(str, &b))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("%s \"%s\" is not a boolean, but the model has boolean %ss",
								what, str, what),
						 errhint("Pass the %s as true or false, as in training.",
								 what)));
			return find_int(keys->ints, keys->count, b ? 1 : 0);
		}
		else
		{
			char	   *end;
			long long	v;

			errno = 0;
			v = strtoll(str, &end, 10);
			if (errno != 0 || end == str || *end != '\0')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("%s \"%s\" is not an integer, but the model has integer %ss",
								what, str, what),
						 errhint("Pass the %s as an integer, as in training.",
								 what)));
			return find_int(keys->ints, keys->count, (int64) v);
		}
	}

	kind = hgnn_key_kind_of_type(typid, allow_bool, what);
	if (kind != keys->kind)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s of type %s does not match the model's %s %ss",
						what, format_type_be(typid),
						hgnn_key_kind_name(keys->kind), what),
				 errhint("Pass the %s as %s, as in training.", what,
						 keys->kind == HGNN_KEY_INT ? "an integer" :
						 keys->kind == HGNN_KEY_BOOL ? "a boolean" :
						 "text")));

	if (kind == HGNN_KEY_TEXT)
	{
		int			len;
		const char *str = hgnn_key_text_value(value, typid, &len, what);

		return find_text(keys->texts, keys->count, str, len);
	}
	return find_int(keys->ints, keys->count,
					hgnn_key_int_value(value, typid, what));
}

char *
hgnn_key_to_cstring(const HgnnKeys *keys, int index)
{
	Assert(index >= 0 && index < keys->count);
	switch (keys->kind)
	{
		case HGNN_KEY_INT:
			return psprintf(INT64_FORMAT, keys->ints[index]);
		case HGNN_KEY_BOOL:
			return pstrdup(keys->ints[index] ? "true" : "false");
		case HGNN_KEY_TEXT:
			return pstrdup(keys->texts[index]);
		case HGNN_KEY_REAL:
			break;				/* keeps no values, so count is 0 */
	}
	return NULL;				/* not reached */
}

char *
hgnn_keys_list(const HgnnKeys *keys, int max)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < keys->count && i < max; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "",
						 hgnn_key_display(keys, i));
	if (keys->count > max)
		appendStringInfo(&buf, ", ... (%d in all)", keys->count);
	return buf.data;
}

char *
hgnn_key_display(const HgnnKeys *keys, int index)
{
	if (keys->kind == HGNN_KEY_TEXT)
		return psprintf("\"%s\"", keys->texts[index]);
	return hgnn_key_to_cstring(keys, index);
}

char *
hgnn_key_datum_text(Datum value, Oid typid)
{
	Oid			base = getBaseType(typid);
	Oid			output;
	bool		varlena;
	char	   *str;

	if (base == UNKNOWNOID)
		str = DatumGetCString(value);
	else
	{
		getTypeOutputInfo(typid, &output, &varlena);
		str = OidOutputFunctionCall(output, value);
	}
	/* a message quotes at most the first 64 bytes of a long value */
	if (strlen(str) > 64)
	{
		int			cut = pg_mbcliplen(str, strlen(str), 64);

		str = psprintf("%.*s...", cut, str);
	}
	if (base == TEXTOID || base == VARCHAROID || base == BPCHAROID ||
		base == UNKNOWNOID)
		return psprintf("\"%s\"", str);
	return str;
}

const char *
hgnn_key_kind_name(HgnnKeyKind kind)
{
	switch (kind)
	{
		case HGNN_KEY_INT:
			return "integer";
		case HGNN_KEY_BOOL:
			return "boolean";
		case HGNN_KEY_TEXT:
			return "text";
		case HGNN_KEY_REAL:
			return "real";
	}
	return "unknown";
}
