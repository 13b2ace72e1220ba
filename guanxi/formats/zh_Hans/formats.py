"""Number formats for zh-Hans on top of Django's: amounts grouped by thousands with a
comma (¥1,234,567.00), as Chinese finance and CRM software print them. Django's own
zh_Hans formats have no thousands separator, so `floatformat:"2g"` printed
¥1234567.00. Everything not set here comes from Django's zh_Hans formats."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
