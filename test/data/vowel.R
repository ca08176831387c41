# Writes the Deterding vowel data of R's mlbench package (Debian package
# r-cran-mlbench) as CSV to the file named by the first argument, or to
# standard output without one.
#
# mlbench's Vowel (checked with mlbench 2.1-3) has 990 rows: column V1 is
# the speaker, a factor with levels "0".."14", each speaker saying each of
# the 11 vowels 6 times; V2..V10 are 9 numeric log-area-ratio features,
# although its Rd page speaks of 10 (the UCI original has 10; mlbench
# keeps 9 of them); Class is the vowel, a factor of 11 levels.
#
# Output columns: id (row number, 1..990), speaker (integer 0..14), vowel
# (the Class label, for example "hId"), f1..f9 (V2..V10 as written by R,
# which keeps the 3 decimals of the source exactly).

args <- commandArgs(trailingOnly = TRUE)
if (length(args) > 1)
	stop("usage: Rscript vowel.R [OUTPUT.csv]")
output <- if (length(args) == 1) args[1] else stdout()

data(Vowel, package = "mlbench")

feature_columns <- paste0("V", 2:10)
if (nrow(Vowel) != 990 || !all(feature_columns %in% names(Vowel)))
	stop("mlbench's Vowel has an unexpected shape: ",
		 nrow(Vowel), " rows, columns ", paste(names(Vowel), collapse = " "))

out <- data.frame(id = seq_len(nrow(Vowel)),
				  speaker = as.integer(as.character(Vowel$V1)),
				  vowel = as.character(Vowel$Class))
for (i in seq_along(feature_columns))
	out[[paste0("f", i)]] <- Vowel[[feature_columns[i]]]

write.csv(out, output, row.names = FALSE)
