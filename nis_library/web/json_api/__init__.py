"""The JSON API's one layer, shared by the read API (`nis_library.api`) and the ISP links API
(`nis_library.isp_links`): problem details for every error, one reader of query strings, signed
tokens for cursors, and one paging style."""
