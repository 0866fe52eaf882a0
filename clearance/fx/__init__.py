"""FX monitoring of traders and the goods feed to the FX authority (issue 14).

:mod:`.bank_feed` reads the banks' receipt and payment files, :mod:`.valuation` converts at the
official rate of a day, :mod:`.goods` keeps the goods side (one row per version of a released
declaration), :mod:`.monitoring` turns both into monthly totals, indicators and classes,
:mod:`.goods_feed` writes the daily goods feed with its control record. See docs/fx-monitoring.md.
"""
