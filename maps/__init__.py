"""Folium map building for the operator console: offline assets, base layer, severity colours."""
