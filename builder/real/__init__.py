"""Published labelled web-page corpora → presscut's ``real`` segmentation config.

One importer module per source layout (:mod:`.aeb`, :mod:`.cleaneval`, :mod:`.dragnet`,
:mod:`.cleanportaleval`, :mod:`.readability`); :mod:`.convert` renders HTML to page text,
:mod:`.align` carries the source's gold body over to line roles, :mod:`.build` writes the
config, its split manifest and the checksum manifest of the inputs.
"""
