"""Reads for comparing two sources of codes ("approved", a coder, "release:N") side by side.
Reads only: agreements the user is still coding blind are left out (coding/visibility.py decides);
the statistics are the pure analysis/pure/compare.py with coding/reliability.py's summary."""
import pandas as pd

from coding import visibility
from coding.models import Agreement
from coding.reliability import indicator_summary

from ..pure.compare import compare_sources
from .releases import release_get, source_codes


def source_frame(spec, *, version):
    """A comparison source: 'release:N', 'approved', or a coder's username ('DESTA 2.1')."""
    spec = spec.strip()
    if spec.startswith("release:"):
        release = release_get(spec.split(":", 1)[1])
        codes = [i.code for i in release.version.indicators.all()]
        frame = pd.DataFrame(release.rows).set_index("agreement_id")
        return frame.reindex(columns=codes).astype(float), release.version
    return source_codes(version=version, source=spec), version


def comparison_for(user, *, a, b, version):
    """Two sources side by side (see compare.compare_sources), without the agreements `user` is
    still coding blind; `hidden` says how many were left out."""
    frame_a, _ = source_frame(a, version=version)
    frame_b, _ = source_frame(b, version=version)
    blind = visibility.agreements_in_blind_coding(user)
    hidden = len(blind & (set(frame_a.index) | set(frame_b.index)))
    frame_a, frame_b = frame_a.drop(index=list(blind), errors="ignore"), frame_b.drop(index=list(blind), errors="ignore")
    names = dict(Agreement.objects.filter(pk__in=list(frame_a.index.union(frame_b.index))).values_list("pk", "name"))
    levels = {i.code: (i.level, i.values) for i in version.indicators.all()}
    result = compare_sources(frame_a, frame_b, levels=levels, depth_indicators=version.depth_indicators, names=names,
                             labels=("a", "b"), summarize=indicator_summary)
    result["hidden"] = hidden
    return result
