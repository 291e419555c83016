"""exam-readiness: tells an exam site, before exam day, whether every exam PC will run the exam."""

__version__ = "0.3.0"
