-- A spike on one topic in one region on one day, written once (suppressed = 'backfill' when a
-- backfill run raised it).
insert into signals (signal_id, kind, topic, region, day, count_day, baseline, share_day,
                     share_baseline, day_stories, reason, run_id, created_at, suppressed)
values ('region_spike:' || $topic || ':' || $region || ':' || strftime($day, '%Y-%m-%d'),
        'region_spike', $topic, $region, $day, $count_day, $baseline, $share_day, $share_baseline,
        $day_stories, $reason, $run_id, $now, $suppressed)
on conflict do nothing
returning signal_id;
