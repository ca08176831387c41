/*
 * keys.h
 *		Label and task values: SQL types, interning, sorted key lists.
 *
 * Training maps the user's label and task values to indices 0..n-1 in
 * ascending order: integers numerically, false before true, text by
 * unsigned bytes (not by collation, so that a model means the same in every
 * database).  The values are kept in the model as HgnnKeys.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_KEYS_H
#define HGNN_KEYS_H

#include "postgres.h"

#include "model.h"

/*
 * Dictionary of distinct strings, in order of first appearance.  Its
 * strings and tables live in mcxt.
 */
typedef struct HgnnTextDict
{
	MemoryContext mcxt;
	int			count;
	int			capacity;
	char	  **strings;		/* NUL-terminated */
	uint32	   *lengths;
	int		   *slots;			/* open addressing: id + 1, or 0 when empty */
	uint32		nslots;			/* power of two, at least 2 * capacity */
} HgnnTextDict;

/*
 * Returns the key kind for a value of type typid (domains resolved), or
 * raises an error naming the type.  what is "label" or "task", for
 * messages.  Booleans are accepted only when allow_bool.
 */
extern HgnnKeyKind hgnn_key_kind_of_type(Oid typid, bool allow_bool,
										 const char *what);

/* Returns an integer or boolean value of SQL type typid as int64. */
extern int64 hgnn_key_int_value(Datum value, Oid typid, const char *what);

/*
 * Returns the bytes of a text value, with trailing blanks removed for
 * character(n) as its comparison ignores them.  The result may point into
 * a detoasted copy in CurrentMemoryContext and is not NUL-terminated.
 */
extern const char *hgnn_key_text_value(Datum value, Oid typid, int *len,
									   const char *what);

extern void hgnn_dict_init(HgnnTextDict *dict, MemoryContext mcxt);
extern int	hgnn_dict_intern(HgnnTextDict *dict, const char *str, int len);

/*
 * Fill keys with the sorted distinct values and return each row's index,
 * palloc'd in CurrentMemoryContext, as is everything in keys.  For
 * integers and booleans, values contains the rows' values.  For text, ids
 * contains the rows' dictionary ids.
 */
extern int *hgnn_keys_build_int(HgnnKeys *keys, HgnnKeyKind kind,
								const int64 *values, int n_rows);
extern int *hgnn_keys_build_text(HgnnKeys *keys, const HgnnTextDict *dict,
								 const int64 *ids, int n_rows);

/*
 * Returns the index of a value in keys, or -1 when training never saw it.
 * A value whose type does not fit the key kind raises an error.  An untyped
 * literal is read as the key kind.  allow_bool is as for
 * hgnn_key_kind_of_type: true for labels, false for tasks.
 */
extern int	hgnn_keys_lookup(const HgnnKeys *keys, Datum value, Oid typid,
							 bool allow_bool, const char *what);

/* Returns key index as text ("7", "true", or the string), palloc'd. */
extern char *hgnn_key_to_cstring(const HgnnKeys *keys, int index);

/*
 * Returns the values of keys as a comma-separated list for messages, the
 * first max of them followed by the total when there are more.
 */
extern char *hgnn_keys_list(const HgnnKeys *keys, int max);

/* Returns key index for messages: text values in double quotes. */
extern char *hgnn_key_display(const HgnnKeys *keys, int index);

/* Returns a value of type typid for messages: text in double quotes. */
extern char *hgnn_key_datum_text(Datum value, Oid typid);

/* Returns "integer", "boolean" or "text". */
extern const char *hgnn_key_kind_name(HgnnKeyKind kind);

#endif							/* HGNN_KEYS_H */
