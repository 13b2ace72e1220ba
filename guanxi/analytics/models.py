"""Customer analytics: RFM, grades, lifecycle, churn and CLV."""
