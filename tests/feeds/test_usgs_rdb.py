"""USGS RDB site listing: site number -> (name, lat, lon), and the NWIS answer's positions agree with it."""

from __future__ import annotations

import pytest
from feed_samples import sample, sample_json

from feeds.adapters.usgs_rdb import RdbError, read_sites

RDB = "usgs_nwis_site_maryland_2020-02-14.rdb"


def test_read_the_maryland_site_listing():
    assert read_sites(sample(RDB)) == {
        "01491000": ("CHOPTANK RIVER NEAR GREENSBORO, MD", 38.99719444, -75.7858056),
        "01645000": ("SENECA CREEK AT DAWSONVILLE, MD", 39.1280833, -77.33577778),
    }


def test_nwis_positions_and_names_agree_with_the_site_file():
    sites = read_sites(sample(RDB))
    series = sample_json("usgs_nwis_iv_choptank_seneca_2019-02-14.json")["value"]["timeSeries"]
    assert len(series) == 4
    for item in series:
        info = item["sourceInfo"]
        geog = info["geoLocation"]["geogLocation"]
        name, lat, lon = sites[info["siteCode"][0]["value"]]
        # NWIS labels them EPSG:4326 while the site file says NAD83: the numbers are the same
        assert geog["srs"] == "EPSG:4326"
        assert (geog["latitude"], geog["longitude"]) == (lat, lon)
        assert info["siteName"] == name


def test_rows_without_a_decimal_position():
    text = sample(RDB).replace(b"38.99719444", b"").replace(b"-77.33577778", b"abc")
    sites = read_sites(text)
    assert sites["01491000"] == ("CHOPTANK RIVER NEAR GREENSBORO, MD", None, None)
    assert sites["01645000"] == ("SENECA CREEK AT DAWSONVILLE, MD", None, None)


@pytest.mark.parametrize(("payload", "reason"), [
    (b"# only comments\n", "no header and field-width rows"),
    (b"agency_cd\tsite_no\nUSGS\t01491000\n", "not a field-width row"),
    (b"agency_cd\tsite_no\n5s\t15s\nUSGS\t01491000\n", "no 'station_nm' column"),
    (sample("usgs_nwis_iv_choptank_seneca_2019-02-14.json"), "no header and field-width rows|not a field-width row"),
])
def test_not_rdb(payload, reason):
    with pytest.raises(RdbError, match=reason):
        read_sites(payload)
