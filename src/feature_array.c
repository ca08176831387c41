/*
 * feature_array.c
 *		Feature arrays: accepted types and conversion to float32.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "feature_array.h"
#include "hgnn_limits.h"

Oid
hgnn_feature_elem_type(Oid argtype)
{
	Oid			elemtype = get_element_type(getBaseType(argtype));

	if (elemtype != FLOAT4OID && elemtype != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("features of type %s are not supported",
						format_type_be(argtype)),
				 errhint("Pass the features as real[] or double precision[].")));
	return elemtype;
}

int
hgnn_feature_count(ArrayType *arr)
{
	int			n;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("feature array must have one dimension, not %d",
						ARR_NDIM(arr)),
				 errhint("Pass one flat array of features per row.")));
	n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("feature array is empty")));
	if (n > HGNN_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("feature array has %d elements, over the limit of %d",
						n, HGNN_MAX_FEATURES)));
	return n;
}

static void
report_not_finite(int position, double value)
{
	const char *name = "NaN";

	if (isinf(value))
		name = value > 0 ? "Infinity" : "-Infinity";
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("feature %d is %s", position, name),
			 errhint("Features must be finite numbers.")));
}

void
hgnn_read_features(ArrayType *arr, Oid elemtype, float *out)
{
	int			n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	int			i;

	if (ARR_ELEMTYPE(arr) != elemtype)
		elog(ERROR, "feature array has element type %u, expected %u",
			 ARR_ELEMTYPE(arr), elemtype);
	if (array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("feature array contains a NULL element"),
				 errhint("Replace NULL elements with numbers, or filter such rows out.")));

	if (elemtype == FLOAT4OID)
	{
		const float *values = (const float *) ARR_DATA_PTR(arr);

		for (i = 0; i < n; i++)
		{
			if (!isfinite(values[i]))
				report_not_finite(i + 1, values[i]);
			out[i] = values[i];
		}
	}
	else
	{
		const double *values = (const double *) ARR_DATA_PTR(arr);

		for (i = 0; i < n; i++)
		{
			if (!isfinite(values[i]))
				report_not_finite(i + 1, values[i]);
			out[i] = (float) values[i];
			if (out[i] == 0.0f && values[i] != 0.0)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("feature %d is %g, which underflows type real",
								i + 1, values[i]),
						 errhint("Round the value to 0 or scale the features; the smallest non-zero real is about 1.4e-45.")));
			if (!isfinite(out[i]))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("feature %d is %g, out of range for type real",
								i + 1, values[i]),
						 errhint("Scale the features into the range of real, about -3.4e38 to 3.4e38.")));
		}
	}
}
