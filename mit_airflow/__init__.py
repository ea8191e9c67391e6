"""mit_airflow."""
