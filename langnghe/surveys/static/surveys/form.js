/* Progressive: keeps the answers in this phone and retries when the network drops. */
(function(){var f=document.getElementById("sv-form");if(!f||!window.fetch||!window.localStorage)return;
var K="ln-sv-"+f.unit.value,st=document.getElementById("sv-status"),sending=false;
function read(){var d={unit:f.unit.value,client_id:f.client_id.value,key:f.k.value,template:+f.template.value||null,answers:{},comment:f.comment.value,dossier_code:f.dossier_code.value};
f.querySelectorAll("fieldset.sv-q").forEach(function(fs){var k=fs.id.slice(2),t=fs.getAttribute("data-type"),ta=fs.querySelector("textarea");
if(ta){d.answers[k]=ta.value;return}var v=[];fs.querySelectorAll("input:checked").forEach(function(i){v.push(i.value)});d.answers[k]=t=="multiple"?v:(v[0]||"")});return d}
function restore(d){f.client_id.value=d.client_id;f.comment.value=d.comment||"";f.dossier_code.value=d.dossier_code||"";
Object.keys(d.answers||{}).forEach(function(k){var fs=document.getElementById("q-"+k);if(!fs)return;var v=d.answers[k],ta=fs.querySelector("textarea");
if(ta){ta.value=v;return}fs.querySelectorAll("input").forEach(function(i){i.checked=[].concat(v).indexOf(i.value)>=0})})}
function say(m,e){st.hidden=false;st.textContent=m;st.className="alert "+(e?"error":"success")}
function save(){try{localStorage.setItem(K,JSON.stringify(read()))}catch(e){}}
function send(){if(sending)return;var raw=localStorage.getItem(K);if(!raw)return;sending=true;var d=JSON.parse(raw);
fetch("/api/v1/surveys/responses",{method:"POST",headers:{"Content-Type":"application/json"},credentials:"same-origin",body:JSON.stringify(d)})
.then(function(r){sending=false;if(r.status==200||r.status==201){localStorage.removeItem(K);location.href="/khao-sat/"+d.unit+"/cam-on/";return}
if(r.status>=400&&r.status<500){localStorage.removeItem(K);f.submit();return}
say("Máy chủ đang bận. Phiếu đã được lưu trên máy và sẽ tự gửi lại.",1);setTimeout(send,15000)})
.catch(function(){sending=false;say("Mất kết nối mạng. Phiếu đã được lưu trên máy, sẽ tự gửi khi có mạng.",1);setTimeout(send,10000)})}
var old=localStorage.getItem(K);if(old){try{restore(JSON.parse(old))}catch(e){}}
else if(window.crypto&&crypto.randomUUID&&!document.getElementById("form-error")){f.client_id.value=crypto.randomUUID()}
f.addEventListener("change",save);f.addEventListener("input",save);
f.addEventListener("submit",function(e){e.preventDefault();save();send()});
window.addEventListener("online",send);})();
