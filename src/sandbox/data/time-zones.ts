/** [timezonecode, standardname (Windows id), userinterfacename, bias minutes, IANA id] — real Dataverse codes. */
export const TIME_ZONES: [number, string, string, number, string][] = [
  [0, 'Dateline Standard Time', '(GMT-12:00) International Date Line West', 720, 'Etc/GMT+12'],
  [2, 'Hawaiian Standard Time', '(GMT-10:00) Hawaii', 600, 'Pacific/Honolulu'],
  [3, 'Alaskan Standard Time', '(GMT-09:00) Alaska', 540, 'America/Anchorage'],
  [4, 'Pacific Standard Time', '(GMT-08:00) Pacific Time (US & Canada)', 480, 'America/Los_Angeles'],
  [10, 'Mountain Standard Time', '(GMT-07:00) Mountain Time (US & Canada)', 420, 'America/Denver'],
  [15, 'US Mountain Standard Time', '(GMT-07:00) Arizona', 420, 'America/Phoenix'],
  [20, 'Central Standard Time', '(GMT-06:00) Central Time (US & Canada)', 360, 'America/Chicago'],
  [35, 'Eastern Standard Time', '(GMT-05:00) Eastern Time (US & Canada)', 300, 'America/New_York'],
  [50, 'Atlantic Standard Time', '(GMT-04:00) Atlantic Time (Canada)', 240, 'America/Halifax'],
  [65, 'E. South America Standard Time', '(GMT-03:00) Brasilia', 180, 'America/Sao_Paulo'],
  [85, 'GMT Standard Time', '(GMT) Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London', 0, 'Europe/London'],
  [90, 'Greenwich Standard Time', '(GMT) Monrovia, Reykjavik', 0, 'Atlantic/Reykjavik'],
  [92, 'UTC', '(GMT) Coordinated Universal Time', 0, 'Etc/UTC'],
  [95, 'Central Europe Standard Time', '(GMT+01:00) Belgrade, Bratislava, Budapest, Ljubljana, Prague', -60, 'Europe/Budapest'],
  [100, 'Central European Standard Time', '(GMT+01:00) Sarajevo, Skopje, Warsaw, Zagreb', -60, 'Europe/Warsaw'],
  [105, 'Romance Standard Time', '(GMT+01:00) Brussels, Copenhagen, Madrid, Paris', -60, 'Europe/Paris'],
  [110, 'W. Europe Standard Time', '(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna', -60, 'Europe/Berlin'],
  [115, 'E. Europe Standard Time', '(GMT+02:00) Chisinau', -120, 'Europe/Chisinau'],
  [120, 'Egypt Standard Time', '(GMT+02:00) Cairo', -120, 'Africa/Cairo'],
  [125, 'FLE Standard Time', '(GMT+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius', -120, 'Europe/Kiev'],
  [130, 'GTB Standard Time', '(GMT+02:00) Athens, Bucharest', -120, 'Europe/Bucharest'],
  [135, 'Israel Standard Time', '(GMT+02:00) Jerusalem', -120, 'Asia/Jerusalem'],
  [145, 'Russian Standard Time', '(GMT+03:00) Moscow, St. Petersburg', -180, 'Europe/Moscow'],
  [165, 'Arabian Standard Time', '(GMT+04:00) Abu Dhabi, Muscat', -240, 'Asia/Dubai'],
  [190, 'India Standard Time', '(GMT+05:30) Chennai, Kolkata, Mumbai, New Delhi', -330, 'Asia/Kolkata'],
  [210, 'China Standard Time', '(GMT+08:00) Beijing, Chongqing, Hong Kong, Urumqi', -480, 'Asia/Shanghai'],
  [215, 'Singapore Standard Time', '(GMT+08:00) Kuala Lumpur, Singapore', -480, 'Asia/Singapore'],
  [225, 'W. Australia Standard Time', '(GMT+08:00) Perth', -480, 'Australia/Perth'],
  [230, 'Korea Standard Time', '(GMT+09:00) Seoul', -540, 'Asia/Seoul'],
  [235, 'Tokyo Standard Time', '(GMT+09:00) Osaka, Sapporo, Tokyo', -540, 'Asia/Tokyo'],
  [245, 'AUS Central Standard Time', '(GMT+09:30) Darwin', -570, 'Australia/Darwin'],
  [250, 'Cen. Australia Standard Time', '(GMT+09:30) Adelaide', -570, 'Australia/Adelaide'],
  [255, 'AUS Eastern Standard Time', '(GMT+10:00) Canberra, Melbourne, Sydney', -600, 'Australia/Sydney'],
  [260, 'E. Australia Standard Time', '(GMT+10:00) Brisbane', -600, 'Australia/Brisbane'],
  [265, 'Tasmania Standard Time', '(GMT+10:00) Hobart', -600, 'Australia/Hobart'],
  [290, 'New Zealand Standard Time', '(GMT+12:00) Auckland, Wellington', -720, 'Pacific/Auckland'],
];

/** The IANA zone for a Dataverse timezonecode (UTC when unknown). */
export function ianaForCode(code: unknown): string {
  for (const z of TIME_ZONES) if (z[0] === code) return z[4];
  return 'Etc/UTC';
}
